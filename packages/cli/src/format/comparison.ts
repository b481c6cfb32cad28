import type { Schemas } from '@bankbench/client'
import {
  formatBytes, formatCount, formatDollars, formatMilliseconds, formatPercent, formatRatio, formatSeconds, formatSeedStat,
} from '@bankbench/report'
import { formatTable } from './table'

/** The comparison matrix as the terminal shows it: one row per run. */
export function formatRunsTable(comparison: Schemas['Comparison']): string {
  return formatTable(
    ['method', 'config', 'seed', 'status', 'accuracy', 'macro-F1', 'p50', 'train time', 'peak memory', 'trainable', 'fewer params', 'cost'],
    comparison.runs.map((row) => [
      row.method, row.configLabel, String(row.seed), row.status, formatPercent(row.accuracy), formatPercent(row.macroF1), formatMilliseconds(row.latencyP50Ms),
      formatSeconds(row.trainSeconds), formatBytes(row.peakMemoryBytes), formatCount(row.trainableParameters), formatRatio(row.parameterReduction), formatDollars(row.cost?.dollars),
    ]),
  )
}

/** Each method's best configuration (by validation accuracy), mean ± std over seeds. */
export function formatMethodsTable(comparison: Schemas['Comparison']): string {
  const percent = (value: number) => formatPercent(value)
  return formatTable(
    ['method', 'best config', 'seeds', 'accuracy', 'macro-F1', 'p50', 'train time', 'peak memory', 'fewer params'],
    comparison.methods.map((row) => [
      row.method, row.configLabel, String(row.seeds.length), formatSeedStat(row.accuracy, percent), formatSeedStat(row.macroF1, percent),
      formatSeedStat(row.latencyP50Ms, formatMilliseconds), formatSeedStat(row.trainSeconds, formatSeconds), formatBytes(row.peakMemoryBytes?.mean), formatRatio(row.parameterReduction),
    ]),
  )
}

/** The analysis' verdict in a few lines: the recommended method and why, or why there is none. */
export function formatRecommendation(recommendation: Schemas['Recommendation']): string {
  const { best, noneReasons } = recommendation
  if (best?.meetsAll === false) {
    return [`No method meets every success criterion. Closest: ${best.method} (${best.configLabel}), missing ${best.missedCriteria.join(', ')}`, ...best.reasons.map((reason) => `  - ${reason}`)].join('\n')
  }
  if (best) return [`Recommended: ${best.method} (${best.configLabel})`, ...best.reasons.map((reason) => `  - ${reason}`)].join('\n')
  return ['No method can be recommended:', ...noneReasons.map((reason) => `  - ${reason}`)].join('\n')
}
