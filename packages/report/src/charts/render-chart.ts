import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import { trustedHtml, type SafeHtml } from '../html/html'

/**
 * Renders a Vega-Lite chart to an SVG string in Node, headlessly: Vega's `none`
 * renderer builds the scenegraph and `toSVG` serialises it, so no browser and no
 * canvas are involved (without the optional `canvas` package Vega estimates text
 * widths, which is good enough for axis labels).
 */
export async function renderChart(spec: TopLevelSpec): Promise<SafeHtml> {
  const view = new View(parse(compile({ ...spec, config: { ...CHART_CONFIG, ...spec.config } }).spec), { renderer: 'none' })
  try {
    return trustedHtml(await view.toSVG())
  } finally {
    view.finalize()
  }
}

const CHART_CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal' as const, gridColor: '#eee' },
  legend: { labelFontSize: 10, titleFontSize: 11, orient: 'bottom' as const, columns: 4, symbolLimit: 40 },
  title: { fontSize: 12, anchor: 'start' as const, fontWeight: 'bold' as const },
}
