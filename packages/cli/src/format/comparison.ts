import type { Schemas } from '@bankbench/client'
import {
  formatBytes, formatCount, formatDollars, formatMilliseconds, formatPercent, formatRatio, formatSeconds, formatSeedStat,
} from '@bankbench/report'
import { formatTable } from './table'

/**
 * The comparison matrix as the terminal shows it: one row per run. A run that was skipped (a
 * remote vector store whose endpoint is not set: it succeeds with a `skipped` reason in its
 * result, `runs` from `GET /v1/benchmarks/{id}/runs`) says `skipped: <reason>` in place of its figures.
 */
export function formatRunsTable(comparison: Schemas['Comparison'], runs: readonly Pick<Schemas['RunSummary'], 'id' | 'summary'>[] = []): string {
  const entities = hasEntityRuns(comparison)
  const generation = hasGenerativeRuns(comparison)
  const rubric = hasRubricScores(comparison)
  const skipped = skippedReasons(runs)
  return formatTable(
    ['method', 'config', 'seed', 'status', 'accuracy', 'macro-F1', ...(entities ? ['entity F1 micro/macro', 'intent µF1 (multi-label)'] : []), ...(generation ? GENERATION_COLUMNS : []), ...(rubric ? RUBRIC_COLUMNS : []), 'p50', 'train time', 'peak memory', 'trainable', 'fewer params', 'cost'],
    comparison.runs.map((row) => skipped.has(row.runId) ? [row.method, row.configLabel, String(row.seed), row.status, `skipped: ${skipped.get(row.runId)!}`] : [
      row.method, row.configLabel, String(row.seed), row.status, applicable(row, 'accuracy', formatPercent(row.accuracy)), applicable(row, 'macroF1', formatPercent(row.macroF1)),
      ...(entities ? [row.entityMicroF1 === null ? NOT_APPLICABLE : `${formatPercent(row.entityMicroF1)} / ${formatPercent(row.entityMacroF1)}`, row.intentMicroF1 === null ? NOT_APPLICABLE : formatPercent(row.intentMicroF1)] : []),
      ...(generation ? generationCells(row) : []),
      ...(rubric ? [applicable(row, 'relevanceScore', formatScore(row.relevanceScore)), applicable(row, 'securityScore', formatScore(row.securityScore))] : []),
      applicable(row, 'latencyP50Ms', formatMilliseconds(row.latencyP50Ms)), formatSeconds(row.trainSeconds), formatBytes(row.peakMemoryBytes),
      applicable(row, 'trainableParameters', formatCount(row.trainableParameters)), applicable(row, 'trainableParameters', formatRatio(row.parameterReduction)), formatDollars(row.cost?.dollars),
    ]),
  )
}

/** The runs whose result says they were skipped, and why (`{ skipped: reason }`), by run id. */
function skippedReasons(runs: readonly Pick<Schemas['RunSummary'], 'id' | 'summary'>[]): Map<string, string> {
  return new Map(runs.flatMap((run) => (typeof run.summary?.skipped === 'string' ? [[run.id, run.summary.skipped] as const] : [])))
}

/** What a cell says for a figure that does not apply to the method (the row's notApplicable), unlike an unmeasured one. */
const NOT_APPLICABLE = 'n/a'

function applicable(row: { notApplicable: string[] }, figure: string, cell: string): string {
  return row.notApplicable.includes(figure) ? NOT_APPLICABLE : cell
}

/** Slot-filling runs add an entity F1 column and their multi-label intent micro-F1; a benchmark without them keeps the intent table as it was. */
function hasEntityRuns(comparison: Schemas['Comparison']): boolean {
  return comparison.runs.some((row) => row.entityMicroF1 !== null)
}

/** Runs scored by the banking rubric (docs/rubrics.md) add relevance and security, 0-10 each. */
const RUBRIC_COLUMNS = ['relevance /10', 'security /10']

function hasRubricScores(comparison: Schemas['Comparison']): boolean {
  return comparison.runs.some((row) => row.relevanceScore !== null || row.securityScore !== null)
}

const formatScore = (value: number | null): string => (value === null ? '—' : value.toFixed(1))

/** Generation runs add exact match, BLEU, ROUGE-L, perplexity and ms per token; a benchmark without them keeps its table. */
const GENERATION_COLUMNS = ['exact match', 'BLEU', 'ROUGE-L', 'perplexity', 'ms/token']

function hasGenerativeRuns(comparison: Schemas['Comparison']): boolean {
  return comparison.runs.some((row) => row.exactMatch !== null)
}

/** A generate run's figures; n/a on runs that generate nothing (a null exact match: every generate run measures one). */
function generationCells(row: Schemas['ComparisonRow']): string[] {
  if (row.exactMatch === null) return GENERATION_COLUMNS.map(() => NOT_APPLICABLE)
  return [
    formatPercent(row.exactMatch), row.bleu === null ? '—' : row.bleu.toFixed(1), formatPercent(row.rougeL),
    row.perplexity === null ? '—' : row.perplexity.toFixed(2), formatMilliseconds(row.latencyPerTokenMs),
  ]
}

/** Each method's best configuration (by validation accuracy), mean ± std over seeds. */
export function formatMethodsTable(comparison: Schemas['Comparison']): string {
  const percent = (value: number) => formatPercent(value)
  const entities = hasEntityRuns(comparison)
  const generation = hasGenerativeRuns(comparison)
  const rubric = hasRubricScores(comparison)
  const score = (value: number) => value.toFixed(1)
  return formatTable(
    ['method', 'best config', 'seeds', 'accuracy', 'macro-F1', ...(entities ? ['entity F1 micro', 'intent µF1 (multi-label)'] : []), ...(generation ? ['exact match', 'BLEU'] : []), ...(rubric ? RUBRIC_COLUMNS : []), 'p50', 'train time', 'peak memory', 'fewer params'],
    comparison.methods.map((row) => [
      row.method, row.configLabel, String(row.seeds.length), applicable(row, 'accuracy', formatSeedStat(row.accuracy, percent)), applicable(row, 'macroF1', formatSeedStat(row.macroF1, percent)),
      ...(entities ? [row.entityMicroF1 === null ? NOT_APPLICABLE : formatSeedStat(row.entityMicroF1, percent), row.intentMicroF1 === null ? NOT_APPLICABLE : formatSeedStat(row.intentMicroF1, percent)] : []),
      ...(generation ? [row.exactMatch === null ? NOT_APPLICABLE : formatSeedStat(row.exactMatch, percent), row.bleu === null ? NOT_APPLICABLE : formatSeedStat(row.bleu, (value) => value.toFixed(1))] : []),
      ...(rubric ? [applicable(row, 'relevanceScore', formatSeedStat(row.relevanceScore, score)), applicable(row, 'securityScore', formatSeedStat(row.securityScore, score))] : []),
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
