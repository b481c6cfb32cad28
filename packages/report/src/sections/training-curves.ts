import { renderChart } from '../charts/render-chart'
import { lossCurveSpec, type LossPoint, type MethodColors } from '../charts/specs'
import { html } from '../html/html'
import { figure, section, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

/** Enough points per curve for its shape; a long run logs thousands, which would bloat the SVG without showing more. */
const MAX_POINTS_PER_RUN = 300

/** Training loss per step of every run that logged one (baselines log none). */
export async function trainingCurvesSection(data: ReportData, colors: MethodColors): Promise<ReportSection | null> {
  const points: LossPoint[] = []
  for (const run of data.runs) {
    const curve = data.lossCurves[run.id]
    if (!curve || curve.length === 0) continue
    const label = `${run.method} ${data.comparison.runs.find((row) => row.runId === run.id)?.configLabel ?? ''} seed ${run.seed}`
    for (const point of thin(curve, MAX_POINTS_PER_RUN)) points.push({ run: label, method: run.method, step: point.step, loss: point.value })
  }
  if (points.length === 0) return null
  const chart = await renderChart(lossCurveSpec(points, colors))
  return section('training', 'Training curves', figure(chart, 'Training loss per step, one line per run, coloured by method.'),
    html`<p class="note">Curves with more than ${MAX_POINTS_PER_RUN} points are thinned evenly for drawing; the full series is in the API (<code>GET /v1/runs/{id}</code>).</p>`)
}

/** Keeps every k-th point (and the last) so that at most `limit` remain. */
function thin<Point>(points: readonly Point[], limit: number): Point[] {
  if (points.length <= limit) return [...points]
  const stride = Math.ceil(points.length / limit)
  const kept = points.filter((_, index) => index % stride === 0)
  if ((points.length - 1) % stride !== 0) kept.push(points[points.length - 1]!)
  return kept
}
