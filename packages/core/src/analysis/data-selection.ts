/**
 * The data-selection study (the `select` job's runs): per strategy, the learning curve
 * with its spread over seeds, the labels each seed needed to reach 95% of the same
 * learner's full-data accuracy and the study's 88%, what reaching it with fewer labels
 * saves in training time and cost against training on everything (the fast learner's
 * fits and, where it ran, the PEFT learner's fine-tunes, priced by the cost model), and
 * the answer to "can data selection cut the training data by 50%?", read from those
 * measurements.
 */
import type { SelectionPeftPoint, SelectionRound, SelectionRunSummary } from '../contracts/run-summary'
import { PRICE_TABLE } from './cost'
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
  /** What an hour of the run's machine costs (the comparison's cost model, `RunCost.dollarsPerHour`); the local machine's on-demand price when absent. */
  dollarsPerHour?: number | null
}

/** A PEFT learner figure over the seeds that measured it. */
export interface SelectionPeftFigure {
  labels: SeedStat
  accuracy: SeedStat
  macroF1: SeedStat
  trainSeconds: SeedStat
}

/** The PEFT learner's fine-tunes of one strategy: at its fast learner's target, at half the pool, and on every pool row. */
export interface SelectionPeftRow {
  method: string
  epochs: number
  atTarget: SelectionPeftFigure | null
  atHalf: SelectionPeftFigure | null
  /** The same fine-tune on every pool row, in the same seeds' runs. */
  full: SelectionPeftFigure
  /** Why a budget was not fine-tuned, per seed that skipped it. */
  skipped: string[]
}

/**
 * What reaching 95% of full-data accuracy with fewer labels saves against training on
 * everything, over the seeds that reached it. Seconds are measured wall time on the
 * run's machine; dollars price them with the cost model (`dollarsPerHour`).
 */
export interface SelectionSavings {
  labels: SeedStat
  /** Share of the pool not labelled. */
  labelsSaved: SeedStat
  /** The fast learner: one fit on the target's labels, one on every pool row, and the selection loop that found those labels (every round's selection and refit up to the target). */
  fitSecondsAtTarget: SeedStat
  fitSecondsFull: SeedStat
  loopSecondsToTarget: SeedStat
  /**
   * The PEFT learner (the method a bank deploys) on the target's labels against every pool
   * row: training seconds and dollars saved, and the same net of the selection loop (the
   * compute a bank spends to choose the rows). Null where the PEFT learner did not run at the target.
   */
  peft: { secondsSaved: SeedStat; share: SeedStat; dollarsSaved: SeedStat; netSecondsSaved: SeedStat; netDollarsSaved: SeedStat } | null
  /** The fast learner, net of its loop: one full fit's seconds minus the loop's (negative when choosing cost more than fitting everything). */
  fastNetSecondsSaved: SeedStat
  fastNetDollarsSaved: SeedStat
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
  labelsTo95: TargetReach
  labelsTo88: TargetReach
  /** Selection time per run, all rounds. */
  selectionSeconds: SeedStat
  /** Null when no seed reached the target. */
  savings: SelectionSavings | null
  /** Null when the PEFT learner ran in none of the strategy's runs. */
  peft: SelectionPeftRow | null
}

/**
 * Labels to reach an accuracy target, over the seeds that reached it. Each seed's figure
 * is a measured round (the first that reached the target), so the true count lies above
 * the round before it: `above` is the smallest such previous round over those seeds (null
 * when a seed reached the target at its first round), which bounds the figure from below
 * where the seeds agree and the spread is 0 only because the rounds are coarse.
 */
export interface TargetReach {
  stat: SeedStat | null
  reached: number
  above: number | null
}

export interface DataSelectionStudy {
  poolSize: number
  budget: number
  features: string
  /** The learner on every pool row, the reference of "95% of full data". */
  fullDataAccuracy: SeedStat
  /** Fewest mean labels to 95% first; strategies where a seed missed it last. */
  strategies: SelectionStrategyRow[]
  /** The hourly price the savings' dollars are at (the mean over runs), and where it came from. */
  pricing: { dollarsPerHour: number; source: 'cost model' | 'default' }
  answer: StudyAnswer
}

/** Keys of a data-selection config that shape the simulation, not the strategy: left out of a strategy's label. */
const PROTOCOL_KEYS = new Set(['strategy', 'budget', 'rounds', 'features', 'seed_per_class', 'C', 'max_iterations', 'peft_budgets', 'peft_method', 'peft_seeds'])

/** The local machine's on-demand hour: what savings are priced at when a run's cost is not given. */
const DEFAULT_DOLLARS_PER_HOUR = PRICE_TABLE.instances.local!.onDemandPerHour

function isSelectionSummary(summary: unknown): summary is SelectionRunSummary {
  return typeof summary === 'object' && summary !== null && Array.isArray((summary as SelectionRunSummary).curve) && typeof (summary as SelectionRunSummary).strategy === 'string'
}

/** The study over a benchmark's succeeded data-selection runs; null when it has none. */
export function dataSelectionStudy(runs: readonly SelectionRunInput[]): DataSelectionStudy | null {
  const measured = runs.filter((run) => run.method === 'data-selection' && run.status === 'succeeded' && isSelectionSummary(run.summary))
  if (measured.length === 0) return null
  const groups = new Map<string, { strategy: string; runs: MeasuredRun[] }>()
  for (const run of measured) {
    const summary = run.summary as SelectionRunSummary
    const options = Object.entries(run.hyperparameters).filter(([key]) => !PROTOCOL_KEYS.has(key)).map(([key, value]) => `${key}=${String(value)}`)
    const label = [summary.strategy, ...options].join(' ')
    const group = groups.get(label) ?? { strategy: summary.strategy, runs: [] }
    const priced = typeof run.dollarsPerHour === 'number' && Number.isFinite(run.dollarsPerHour)
    group.runs.push({ seed: run.seed, summary, dollarsPerHour: priced ? run.dollarsPerHour! : DEFAULT_DOLLARS_PER_HOUR, priced })
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
    pricing: {
      dollarsPerHour: seedStat([...groups.values()].flatMap((group) => group.runs.map((run) => run.dollarsPerHour)))!.mean,
      source: [...groups.values()].every((group) => group.runs.every((run) => run.priced)) ? 'cost model' as const : 'default' as const,
    },
  }
  return { ...study, answer: halfTheDataAnswer(study) }
}

interface MeasuredRun {
  seed: number
  summary: SelectionRunSummary
  dollarsPerHour: number
  priced: boolean
}

function strategyRow(label: string, strategy: string, runs: MeasuredRun[]): SelectionStrategyRow {
  // Seeds share a schedule when their configs match; a round only some runs reached is averaged over those.
  const rounds = Math.max(...runs.map((run) => run.summary.curve.length))
  const at = (index: number) => runs.map((run) => run.summary.curve[index]).filter((round): round is SelectionRound => round !== undefined)
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
    labelsTo95: targetReach(runs, (summary) => summary.labelsTo95PercentOfFull),
    labelsTo88: targetReach(runs, (summary) => summary.labelsTo88Percent),
    selectionSeconds: seedStat(runs.map((run) => run.summary.selectionSeconds))!,
    savings: savingsOf(runs),
    peft: peftRow(runs),
  }
}

/** Per seed that reached the target: labels, the fast learner's fits and loop to it, and the PEFT learner's fine-tunes there against every row. */
function savingsOf(runs: readonly MeasuredRun[]): SelectionSavings | null {
  const reached = runs.flatMap((run) => {
    const labels = run.summary.labelsTo95PercentOfFull
    const index = run.summary.curve.findIndex((round) => round.labels === labels)
    if (labels === null || index < 0) return []
    const loop = run.summary.curve.slice(0, index + 1).reduce((sum, round) => sum + round.selectionSeconds + round.trainSeconds, 0)
    return [{ run, labels, fitAtTarget: run.summary.curve[index]!.trainSeconds, loop }]
  })
  if (reached.length === 0) return null
  const stat = (values: number[]) => seedStat(values)!
  const dollars = (seconds: number, run: MeasuredRun) => (seconds / 3600) * run.dollarsPerHour
  const withPeft = reached.flatMap((entry) => {
    const peft = entry.run.summary.peft
    const point = peft?.points.find((candidate) => candidate.budget === 'target')
    return peft && point ? [{ ...entry, saved: peft.fullData.trainSeconds - point.trainSeconds, share: 1 - point.trainSeconds / peft.fullData.trainSeconds }] : []
  })
  const fastNet = reached.map((entry) => ({ seconds: entry.run.summary.fullData.trainSeconds - entry.loop, run: entry.run }))
  return {
    labels: stat(reached.map((entry) => entry.labels)),
    labelsSaved: stat(reached.map((entry) => 1 - entry.labels / entry.run.summary.poolSize)),
    fitSecondsAtTarget: stat(reached.map((entry) => entry.fitAtTarget)),
    fitSecondsFull: stat(reached.map((entry) => entry.run.summary.fullData.trainSeconds)),
    loopSecondsToTarget: stat(reached.map((entry) => entry.loop)),
    peft: withPeft.length === 0 ? null : {
      secondsSaved: stat(withPeft.map((entry) => entry.saved)),
      share: stat(withPeft.map((entry) => entry.share)),
      dollarsSaved: stat(withPeft.map((entry) => dollars(entry.saved, entry.run))),
      netSecondsSaved: stat(withPeft.map((entry) => entry.saved - entry.loop)),
      netDollarsSaved: stat(withPeft.map((entry) => dollars(entry.saved - entry.loop, entry.run))),
    },
    fastNetSecondsSaved: stat(fastNet.map((entry) => entry.seconds)),
    fastNetDollarsSaved: stat(fastNet.map((entry) => dollars(entry.seconds, entry.run))),
  }
}

/** The PEFT learner's fine-tunes over the runs that ran it; null when none did. */
function peftRow(runs: readonly MeasuredRun[]): SelectionPeftRow | null {
  const measured = runs.map((run) => run.summary.peft).filter((peft): peft is NonNullable<SelectionRunSummary['peft']> => Boolean(peft))
  if (measured.length === 0) return null
  const figure = (points: (SelectionPeftPoint | undefined)[]): SelectionPeftFigure | null => {
    const present = points.filter((point): point is SelectionPeftPoint => point !== undefined)
    if (present.length === 0) return null
    return {
      labels: seedStat(present.map((point) => point.labels))!,
      accuracy: seedStat(present.map((point) => point.accuracy))!,
      macroF1: seedStat(present.map((point) => point.macroF1))!,
      trainSeconds: seedStat(present.map((point) => point.trainSeconds))!,
    }
  }
  return {
    method: measured[0]!.method,
    epochs: measured[0]!.epochs,
    atTarget: figure(measured.map((peft) => peft.points.find((point) => point.budget === 'target'))),
    atHalf: figure(measured.map((peft) => peft.points.find((point) => point.budget === 'half'))),
    full: figure(measured.map((peft) => peft.fullData))!,
    skipped: measured.flatMap((peft) => peft.skipped.map((entry) => `${String(entry.budget)}: ${entry.reason}`)),
  }
}

function targetReach(runs: MeasuredRun[], labelsOf: (summary: SelectionRunSummary) => number | null): TargetReach {
  const labels = runs.map((run) => labelsOf(run.summary))
  const previousRounds = runs.flatMap((run) => {
    const reachedAt = labelsOf(run.summary)
    if (reachedAt === null) return []
    const index = run.summary.curve.findIndex((round) => round.labels === reachedAt)
    return [index > 0 ? run.summary.curve[index - 1]!.labels : null]
  })
  return {
    stat: seedStat(labels),
    reached: labels.filter((value) => value !== null).length,
    above: previousRounds.length === 0 || previousRounds.includes(null) ? null : Math.min(...(previousRounds as number[])),
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
const labelsWithSpread = (row: TargetReach, seeds: number) =>
  row.stat === null ? `not within the budget (0/${seeds} seeds)` : `${Math.round(row.stat.mean)} ± ${Math.round(row.stat.std)} labels${row.above !== null ? ` (more than ${row.above}, the round before)` : ''}${row.reached < seeds ? ` (${row.reached}/${seeds} seeds; the rest not within the budget)` : ''}`

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
  const deployed = peftAtHalfSentence(best, random)
  if (best.labelsTo95.reached < seeds) {
    return { question, enoughData: true, answer: `No strategy reached ${target} for every seed within the budget of ${study.budget} labels: not shown on these runs.${deployed}`, data }
  }
  const bestMean = best.labelsTo95.stat!.mean
  const share = bestMean / study.poolSize
  const randomPart = random
    ? random.labelsTo95.reached === random.seeds.length
      ? `; random needed ${labelsWithSpread(random.labelsTo95, random.seeds.length)}, ${percent(random.labelsTo95.stat!.mean / study.poolSize)}`
      : `; random did not reach it within ${study.budget} labels for ${random.seeds.length - random.labelsTo95.reached} of ${random.seeds.length} seeds`
    : ''
  const verdict = best.labelsTo95.stat!.mean + best.labelsTo95.stat!.std <= half ? 'Yes' : bestMean <= half ? 'Only just' : 'No'
  const saving = best.savings?.peft && best.peft
    ? ` Fine-tuning ${best.peft.method} on those labels instead of every row took ${percent(best.savings.peft.share.mean)} less training time `
      + `(${seconds(best.savings.peft.secondsSaved.mean)} and ${dollars(best.savings.peft.dollarsSaved.mean)} saved per run at $${study.pricing.dollarsPerHour.toFixed(3)}/h; `
      + `${dollars(best.savings.peft.netDollarsSaved.mean)} net of the selection loop).`
    : ''
  return {
    question,
    enoughData: true,
    answer: `${verdict}: ${best.label} reached ${target} with ${labelsWithSpread(best.labelsTo95, seeds)}, ${percent(share)} of the pool${randomPart}. `
      + `Labels are counted at the first measured round that reached the target (the rounds are spaced on a log scale), so the true count lies between the round before and that round.${saving}${deployed}`,
    data: { ...data, bestPeft: best.peft, bestSavings: best.savings },
  }
}

/** What half the pool, chosen by the best strategy (and by random), is worth to the deployed method: its accuracy there against every row. */
function peftAtHalfSentence(best: SelectionStrategyRow, random: SelectionStrategyRow | undefined): string {
  const atHalf = best.peft?.atHalf
  if (!best.peft || !atHalf) return ''
  const { method, full } = best.peft
  const randomHalf = random && random !== best && random.peft?.atHalf ? `; on random's half, ${percent(random.peft.atHalf.accuracy.mean)}` : ''
  return ` For the deployed method: ${method} fine-tuned on the half of the pool ${best.label} chose (${Math.round(atHalf.labels.mean)} labels) reached `
    + `${percent(atHalf.accuracy.mean)} test accuracy, ${percent(atHalf.accuracy.mean / full.accuracy.mean)} of ${method} on every row (${percent(full.accuracy.mean)})${randomHalf}`
    + ` (${atHalf.accuracy.n} seed${atHalf.accuracy.n === 1 ? '' : 's'}).`
}

const seconds = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} s`
const dollars = (value: number) => `${value < 0 ? '-' : ''}$${Math.abs(value).toFixed(4)}`

/**
 * What reaching 95% of full-data accuracy with fewer labels saves, per strategy, as aligned
 * text (the CLI and the bench print it): labels, the fast learner's fits and selection loop,
 * and the PEFT learner's fine-tunes at the target and at half the pool against every row,
 * in seconds and in dollars at the cost model's hourly price. Null when no strategy reached the target.
 */
export function formatSelectionSavingsTable(study: DataSelectionStudy): string | null {
  if (!study.strategies.some((row) => row.savings)) return null
  const method = study.strategies.find((row) => row.peft)?.peft?.method ?? 'PEFT'
  const header = ['strategy', 'labels at 95%', 'labels saved', 'fit s at 95% / all', 'selection loop s', `${method} acc at 95% / all`, `${method} train s at 95% / all`,
    'train time saved', '$ saved (net of loop)', `${method} on half (of all)`]
  const rows = study.strategies.map((row) => {
    const savings = row.savings
    const peft = row.peft
    const at = peft?.atTarget
    return [
      row.label === 'random' ? 'random (control)' : row.label,
      savings ? `${Math.round(savings.labels.mean)}` : `> ${study.budget}`,
      savings ? percent(savings.labelsSaved.mean) : '-',
      savings ? `${savings.fitSecondsAtTarget.mean.toFixed(1)} / ${savings.fitSecondsFull.mean.toFixed(1)}` : '-',
      savings ? savings.loopSecondsToTarget.mean.toFixed(1) : '-',
      peft && at ? `${percent(at.accuracy.mean)} / ${percent(peft.full.accuracy.mean)}` : '-',
      peft && at ? `${at.trainSeconds.mean.toFixed(0)} / ${peft.full.trainSeconds.mean.toFixed(0)}` : '-',
      savings?.peft ? percent(savings.peft.share.mean) : '-',
      savings?.peft ? `${dollars(savings.peft.dollarsSaved.mean)} (${dollars(savings.peft.netDollarsSaved.mean)})` : savings ? `fast learner: ${dollars(savings.fastNetDollarsSaved.mean)} net` : '-',
      peft?.atHalf ? `${percent(peft.atHalf.accuracy.mean)} (${percent(peft.atHalf.accuracy.mean / peft.full.accuracy.mean)})` : '-',
    ]
  })
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()
  return [
    `What reaching 95% of full-data accuracy with fewer labels saves against training on everything (mean over the seeds that reached it; $ at $${study.pricing.dollarsPerHour.toFixed(3)}/h${study.pricing.source === 'default' ? ', the local machine\'s on-demand price' : ''})`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ].join('\n')
}

/** The labels-to-target table as aligned text, one strategy per line, random marked (the CLI and the bench print it). */
export function formatSelectionTable(study: DataSelectionStudy): string {
  const header = ['strategy', 'labels to 95% of full (mean ± std)', 'after round', 'seeds', 'vs random', 'labels to 88%', 'AULC', `accuracy at ${study.budget}`, 'selection s/run']
  const random = study.strategies.find((row) => row.label === 'random')
  const rows = study.strategies.map((row) => {
    const to95 = row.labelsTo95.stat
    const ratio = to95 && random?.labelsTo95.stat && row.labelsTo95.reached === row.seeds.length && random.labelsTo95.reached === random.seeds.length
      ? `${((to95.mean / random.labelsTo95.stat.mean) * 100).toFixed(0)}%` : '-'
    return [
      row.label === 'random' ? 'random (control)' : row.label,
      to95 ? `${Math.round(to95.mean)} ± ${Math.round(to95.std)}` : `> ${study.budget}`,
      row.labelsTo95.above === null ? '-' : `> ${row.labelsTo95.above}`,
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
