import { seedStat, type ComparisonRow, type LoraSpectrum, type RunRow } from '@bankbench/core'
import { renderChart } from '../charts/render-chart'
import { accuracyBarSpec, rankCurveSpec, spectrumSpec, type BarValue, type MeanPoint, type MethodColors, type SpectrumPoint } from '../charts/specs'
import { html, type SafeHtml } from '../html/html'
import { figure, section, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

const LORA_METHODS = new Set(['lora', 'qlora'])

/**
 * What the LoRA-family runs say about LoRA itself, each part only when the
 * benchmark measured it: accuracy per rank (a grid over `r`), accuracy per set of
 * target modules (a grid over `target_modules`), and the singular-value spectra of
 * the learned updates (runs whose summary carries `loraSpectra`).
 */
export async function loraSection(data: ReportData, colors: MethodColors): Promise<ReportSection | null> {
  const groups = configurationGroups(data.comparison.runs)
  const parts: SafeHtml[] = []
  const rankPoints = rankCurve(groups)
  if (rankPoints) {
    parts.push(html`<h3>Rank</h3>`, figure(await renderChart(rankCurveSpec(rankPoints, colors)),
      'Test accuracy per LoRA rank: for each rank, the configuration with the best validation accuracy; the bars span ± one standard deviation over seeds.'))
  }
  const ablation = moduleAblation(groups)
  if (ablation) {
    parts.push(html`<h3>Target modules</h3>`, figure(await renderChart(accuracyBarSpec(ablation, colors, 'Test accuracy by target modules')),
      'Mean test accuracy for each set of adapted modules (best configuration by validation accuracy for each set).'))
  }
  const spectra = spectrumPoints(data.runs)
  if (spectra.length > 0) {
    parts.push(html`<h3>Spectra of the learned updates</h3>`, figure(await renderChart(spectrumSpec(spectra)),
      'Singular values of ΔW = B·A per adapted module, largest first: how many directions each update really uses.'))
  }
  if (parts.length === 0) return null
  return section('lora', 'LoRA analysis', ...parts)
}

interface ConfigurationGroup {
  method: string
  hyperparameters: Record<string, unknown>
  validation: number
  accuracy: { mean: number; std: number }
}

/** Succeeded LoRA-family runs grouped by configuration, with their means over seeds. */
function configurationGroups(rows: readonly ComparisonRow[]): ConfigurationGroup[] {
  const byConfiguration = new Map<string, ComparisonRow[]>()
  for (const row of rows) {
    if (!LORA_METHODS.has(row.method) || row.status !== 'succeeded') continue
    const key = `${row.method}\u0000${row.configLabel}`
    byConfiguration.set(key, [...(byConfiguration.get(key) ?? []), row])
  }
  return [...byConfiguration.values()].flatMap((rows) => {
    const accuracy = seedStat(rows.map((row) => row.accuracy))
    const first = rows[0]!
    if (!accuracy) return []
    return [{
      method: first.method,
      hyperparameters: first.hyperparameters,
      validation: seedStat(rows.map((row) => row.validationAccuracy))?.mean ?? Number.NEGATIVE_INFINITY,
      accuracy,
    }]
  })
}

/** The group with the best validation accuracy for each (method, value of `key`). */
function bestPer(groups: ConfigurationGroup[], valueOf: (group: ConfigurationGroup) => string | number | undefined) {
  const best = new Map<string, { method: string; value: string | number; group: ConfigurationGroup }>()
  for (const group of groups) {
    const value = valueOf(group)
    if (value === undefined) continue
    const key = `${group.method}\u0000${value}`
    const current = best.get(key)
    if (!current || group.validation > current.group.validation) best.set(key, { method: group.method, value, group })
  }
  return [...best.values()]
}

function rankCurve(groups: ConfigurationGroup[]): MeanPoint[] | null {
  const points = bestPer(groups, (group) => (typeof group.hyperparameters.r === 'number' ? group.hyperparameters.r : undefined))
  if (new Set(points.map((point) => point.value)).size < 2) return null
  return points
    .map(({ method, value, group }) => ({ method, x: Number(value), ...spread(group) }))
    .sort((a, b) => a.method.localeCompare(b.method) || a.x - b.x)
}

function moduleAblation(groups: ConfigurationGroup[]): BarValue[] | null {
  const points = bestPer(groups, (group) => {
    const modules = group.hyperparameters.target_modules
    if (modules === undefined) return undefined
    return Array.isArray(modules) ? modules.join(', ') : String(modules)
  })
  if (new Set(points.map((point) => point.value)).size < 2) return null
  return points.map(({ method, value, group }) => ({ label: `${method}: ${value}`, method, ...spread(group) }))
}

function spread(group: ConfigurationGroup) {
  const { mean, std } = group.accuracy
  return { mean, low: mean - std, high: mean + std }
}

function spectrumPoints(runs: readonly RunRow[]): SpectrumPoint[] {
  // One run's spectra suffice to show the shape; the first LoRA run that recorded them.
  const spectra = runs.map((run) => run.summary?.loraSpectra).find((value): value is LoraSpectrum[] => Array.isArray(value) && value.length > 0)
  if (!spectra) return []
  return spectra.flatMap((spectrum) => spectrum.singularValues
    .map((value, index) => ({ module: spectrum.module, index: index + 1, value }))
    .filter((point) => point.value > 0))
}
