import type { ComparisonRow, ParetoAxis, ParetoFront } from '@bankbench/core'
import { renderChart } from '../charts/render-chart'
import { paretoSpec, type MethodColors, type ParetoChartOptions } from '../charts/specs'
import { formatBytes, formatCount, formatPercent, formatSeconds } from '../format'
import { html, type SafeHtml } from '../html/html'
import { figure, section, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

const AXES: Record<ParetoAxis, { title: string; xTitle: string; xScale: number; format: (value: number) => string }> = {
  peakMemoryBytes: { title: 'Accuracy vs peak memory', xTitle: 'peak memory (GiB)', xScale: 1 / 2 ** 30, format: formatBytes },
  trainSeconds: { title: 'Accuracy vs training time', xTitle: 'training time (s)', xScale: 1, format: formatSeconds },
  trainableParameters: { title: 'Accuracy vs trainable parameters', xTitle: 'trainable parameters', xScale: 1, format: formatCount },
}

/**
 * Accuracy against each cost (memory, time, trainable parameters): every succeeded
 * run is a point, and the Pareto front computed by the analysis is drawn through
 * the runs no other run beats on both axes.
 */
export async function paretoSection(data: ReportData, colors: MethodColors): Promise<ReportSection | null> {
  const { paretoFronts, constraints } = data.recommendation
  const fronts = [paretoFronts.accuracyVsMemory, paretoFronts.accuracyVsTime, paretoFronts.accuracyVsParameters]
  const limits: Partial<Record<ParetoAxis, number>> = { peakMemoryBytes: constraints.maxGpuMemoryBytes, trainSeconds: constraints.maxTrainingSeconds }
  const figures: SafeHtml[] = []
  for (const front of fronts) {
    const points = pointsOf(data.comparison.runs, front)
    if (points.length === 0) continue
    const axis = AXES[front.x]
    const options: ParetoChartOptions = { title: axis.title, xTitle: axis.xTitle, xScale: axis.xScale, minAccuracy: constraints.minAccuracy }
    const limit = limits[front.x]
    if (limit !== undefined) options.maxX = limit
    figures.push(html`<div class="pareto">${figure(await renderChart(paretoSpec(points, colors, options)), `Front: ${describeFront(front, axis.format)}`)}</div>`)
  }
  if (figures.length === 0) return null
  return section('pareto', 'Trade-offs: Pareto fronts',
    html`<p class="note">Dashed lines mark the success criteria (minimum accuracy; maximum memory and training time). Ringed points are on the front.</p>`,
    html`<div class="grid">${figures}</div>`)
}

function pointsOf(rows: readonly ComparisonRow[], front: ParetoFront) {
  const onFront = new Set(front.points.map((point) => point.runId))
  return rows.flatMap((row) => {
    const x = row[front.x]
    if (row.status !== 'succeeded' || row.accuracy == null || x == null || x <= 0) return []
    return [{ method: row.method, label: row.configLabel, x, y: row.accuracy, onFront: onFront.has(row.runId) }]
  })
}

function describeFront(front: ParetoFront, format: (value: number) => string): string {
  if (front.points.length === 0) return 'no run has both figures'
  return front.points.map((point) => `${point.method} ${point.configLabel} (${formatPercent(point.y)}, ${format(point.x)})`).join(' → ')
}
