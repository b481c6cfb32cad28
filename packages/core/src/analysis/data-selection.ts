/**
 * The data-selection study (the `select` job's runs): per strategy, the learning curve
 * with its spread over seeds, the labels each seed needed to reach 95% of the same
 * learner's full-data accuracy and the study's 88%, and the answer to "can data
 * selection cut the training data by 50%?", read from those measurements.
 */
import type { SelectionRound, SelectionRunSummary } from '../contracts/run-summary'
import { seedStat } from './stats'
import type { SeedStat, StudyAnswer } from './types'

/** A run as the study reads it: from the database (RunRow) or the API's run listing. */
export interface SelectionRunInput {
  method: string
  status: string
  seed: number
  /** The run's config.hyperparameters (strategy and options). */
  hyperparameters: Record<string, unknown>
  summary: unknown
}

export interface SelectionStrategyRow {
  /** The strategy and the options its arm set (`core-set metric=cosine`). */
  label: string
  strategy: string
  seeds: number[]
  curve: { labels: number; accuracy: SeedStat; macroF1: SeedStat }[]
  areaUnderCurve: SeedStat
  finalAccuracy: SeedStat
  /** Over the seeds that reached the target within the budget; `reached` says how many did. */
  labelsTo95: { stat: SeedStat | null; reached: number }
  labelsTo88: { stat: SeedStat | null; reached: number }
  /** Selection time per run, all rounds. */
  selectionSeconds: SeedStat
}

export interface DataSelectionStudy {
  poolSize: number
  budget: number
  features: string
  /** The learner on every pool row, the reference of "95% of full data". */
  fullDataAccuracy: SeedStat
  /** Fewest mean labels to 95% first; strategies where a seed missed it last. */
  strategies: SelectionStrategyRow[]
  answer: StudyAnswer
}

/** Keys of a data-selection config that shape the simulation, not the strategy: left out of a strategy's label. */
const PROTOCOL_KEYS = new Set(['strategy', 'budget', 'rounds', 'features', 'seed_per_class', 'C', 'max_iterations'])

function isSelectionSummary(summary: unknown): summary is SelectionRunSummary {
  return typeof summary === 'object' && summary !== null && Array.isArray((summary as SelectionRunSummary).curve) && typeof (summary as SelectionRunSummary).strategy === 'string'
}

/** The study over a benchmark's succeeded data-selection runs; null when it has none. */
export function dataSelectionStudy(runs: readonly SelectionRunInput[]): DataSelectionStudy | null {
  const measured = runs.filter((run) => run.method === 'data-selection' && run.status === 'succeeded' && isSelectionSummary(run.summary))
  if (measured.length === 0) return null
  const groups = new Map<string, { strategy: string; runs: { seed: number; summary: SelectionRunSummary }[] }>()
  for (const run of measured) {
    const summary = run.summary as SelectionRunSummary
    const options = Object.entries(run.hyperparameters).filter(([key]) => !PROTOCOL_KEYS.has(key)).map(([key, value]) => `${key}=${String(value)}`)
    const label = [summary.strategy, ...options].join(' ')
    const group = groups.get(label) ?? { strategy: summary.strategy, runs: [] }
    group.runs.push({ seed: run.seed, summary })
    groups.set(label, group)
  }
  const strategies = [...groups].map(([label, group]) => strategyRow(label, group.strategy, group.runs)).sort(byLabelsTo95)
  const summaries = measured.map((run) => run.summary as SelectionRunSummary)
  const poolSize = summaries[0]!.poolSize
  const study = {
    poolSize,
    budget: Math.max(...summaries.map((summary) => summary.trainExamples)),
    features: summaries[0]!.features,
    fullDataAccuracy: seedStat(summaries.map((summary) => summary.fullData.accuracy))!,
    strategies,
  }
  return { ...study, answer: halfTheDataAnswer(study) }
}

function strategyRow(label: string, strategy: string, runs: { seed: number; summary: SelectionRunSummary }[]): SelectionStrategyRow {
  // Seeds share a schedule when their configs match; a round only some runs reached is averaged over those.
  const rounds = Math.max(...runs.map((run) => run.summary.curve.length))
  const at = (index: number) => runs.map((run) => run.summary.curve[index]).filter((round): round is SelectionRound => round !== undefined)
  const to95 = runs.map((run) => run.summary.labelsTo95PercentOfFull)
  const to88 = runs.map((run) => run.summary.labelsTo88Percent)
  return {
    label,
    strategy,
    seeds: runs.map((run) => run.seed),
    curve: Array.from({ length: rounds }, (_, index) => ({
      labels: at(index)[0]!.labels,
      accuracy: seedStat(at(index).map((round) => round.accuracy))!,
      macroF1: seedStat(at(index).map((round) => round.macroF1))!,
    })),
    areaUnderCurve: seedStat(runs.map((run) => run.summary.areaUnderCurve))!,
    finalAccuracy: seedStat(runs.map((run) => run.summary.accuracy))!,
    labelsTo95: { stat: seedStat(to95), reached: to95.filter((labels) => labels !== null).length },
    labelsTo88: { stat: seedStat(to88), reached: to88.filter((labels) => labels !== null).length },
    selectionSeconds: seedStat(runs.map((run) => run.summary.selectionSeconds))!,
  }
}

/** Every seed reached 95% before any that some seed missed; then fewer mean labels; then the larger area under the curve. */
function byLabelsTo95(a: SelectionStrategyRow, b: SelectionStrategyRow): number {
  const allReached = (row: SelectionStrategyRow) => row.labelsTo95.reached === row.seeds.length
  return Number(allReached(b)) - Number(allReached(a))
    || (a.labelsTo95.stat?.mean ?? Infinity) - (b.labelsTo95.stat?.mean ?? Infinity)
    || b.areaUnderCurve.mean - a.areaUnderCurve.mean
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`
const labelsWithSpread = (row: SelectionStrategyRow['labelsTo95'], seeds: number) =>
  row.stat === null ? `not within the budget (0/${seeds} seeds)` : `${Math.round(row.stat.mean)} ± ${Math.round(row.stat.std)}${row.reached < seeds ? ` (${row.reached}/${seeds} seeds; the rest not within the budget)` : ''}`

/**
 * "Can data selection cut the training data by 50%?": yes when the best strategy reaches
 * 95% of full-data accuracy, for every seed, with at most half the pool labelled. Said
 * beside random's figure, so the saving is the strategy's and not the learner's.
 */
function halfTheDataAnswer(study: Omit<DataSelectionStudy, 'answer'>): StudyAnswer {
  const question = 'Can data selection cut the training data by 50%?'
  const best = study.strategies[0]!
  const random = study.strategies.find((row) => row.label === 'random')
  const half = study.poolSize / 2
  const seeds = best.seeds.length
  const target = `95% of full-data accuracy (${percent(0.95 * study.fullDataAccuracy.mean)}; full data ${percent(study.fullDataAccuracy.mean)} on ${study.poolSize} labels)`
  const data = { poolSize: study.poolSize, halfPool: half, best: best.label, bestLabelsTo95: best.labelsTo95, randomLabelsTo95: random?.labelsTo95 ?? null }
  if (best.labelsTo95.reached < seeds) {
    return { question, enoughData: true, answer: `No strategy reached ${target} for every seed within the budget of ${study.budget} labels: not shown on these runs.`, data }
  }
  const bestMean = best.labelsTo95.stat!.mean
  const share = bestMean / study.poolSize
  const randomPart = random
    ? random.labelsTo95.reached === random.seeds.length
      ? `; random needed ${labelsWithSpread(random.labelsTo95, random.seeds.length)} (${percent(random.labelsTo95.stat!.mean / study.poolSize)})`
      : `; random did not reach it within ${study.budget} labels for ${random.seeds.length - random.labelsTo95.reached} of ${random.seeds.length} seeds`
    : ''
  const verdict = best.labelsTo95.stat!.mean + best.labelsTo95.stat!.std <= half ? 'Yes' : bestMean <= half ? 'Only just' : 'No'
  return {
    question,
    enoughData: true,
    answer: `${verdict}: ${best.label} reached ${target} with ${labelsWithSpread(best.labelsTo95, seeds)} labels, ${percent(share)} of the pool${randomPart}. `
      + 'Labels are counted at the first measured round that reached the target (the rounds are spaced on a log scale).',
    data,
  }
}

/** The labels-to-target table as aligned text, one strategy per line, random marked (the CLI and the bench print it). */
export function formatSelectionTable(study: DataSelectionStudy): string {
  const header = ['strategy', 'labels to 95% of full (mean ± std)', 'seeds', 'vs random', 'labels to 88%', 'AULC', `accuracy at ${study.budget}`, 'selection s/run']
  const random = study.strategies.find((row) => row.label === 'random')
  const rows = study.strategies.map((row) => {
    const to95 = row.labelsTo95.stat
    const ratio = to95 && random?.labelsTo95.stat && row.labelsTo95.reached === row.seeds.length && random.labelsTo95.reached === random.seeds.length
      ? `${((to95.mean / random.labelsTo95.stat.mean) * 100).toFixed(0)}%` : '-'
    return [
      row.label === 'random' ? 'random (control)' : row.label,
      to95 ? `${Math.round(to95.mean)} ± ${Math.round(to95.std)}` : `> ${study.budget}`,
      `${row.labelsTo95.reached}/${row.seeds.length}`,
      row.label === 'random' ? '100%' : ratio,
      row.labelsTo88.stat ? `${Math.round(row.labelsTo88.stat.mean)} (${row.labelsTo88.reached}/${row.seeds.length})` : `> ${study.budget}`,
      `${(row.areaUnderCurve.mean * 100).toFixed(1)} ± ${(row.areaUnderCurve.std * 100).toFixed(1)}`,
      `${(row.finalAccuracy.mean * 100).toFixed(1)} ± ${(row.finalAccuracy.std * 100).toFixed(1)}`,
      row.selectionSeconds.mean.toFixed(1),
    ]
  })
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()
  return [
    `Data selection on ${study.poolSize} pool rows (${study.features}); full-data accuracy ${percent(study.fullDataAccuracy.mean)}, target 95% of it = ${percent(0.95 * study.fullDataAccuracy.mean)}`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ].join('\n')
}
