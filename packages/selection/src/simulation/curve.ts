import type { RoundResult } from './simulate'

/** A curve's point: labels used and test accuracy there. */
export type CurvePoint = Pick<RoundResult, 'labels' | 'accuracy'>

/**
 * Area under the learning curve, normalised by the labels it spans: the trapezoid
 * integral of accuracy over labels divided by (last - first labels), so it reads as
 * the curve's mean accuracy (1 is perfect from the first label). Curves compared
 * by it must share a schedule.
 */
export function areaUnderCurve(points: readonly CurvePoint[]): number {
  if (points.length === 0) return 0
  if (points.length === 1) return points[0]!.accuracy
  let area = 0
  for (let index = 1; index < points.length; index++) {
    const [left, right] = [points[index - 1]!, points[index]!]
    area += ((left.accuracy + right.accuracy) / 2) * (right.labels - left.labels)
  }
  return area / (points.at(-1)!.labels - points[0]!.labels)
}

/**
 * The labels of the first round whose accuracy reached `target`; null when none did.
 * A measured point, not an interpolation: the true figure lies between the previous
 * round's labels and this one's.
 */
export function labelsToReach(points: readonly CurvePoint[], target: number): number | null {
  return points.find((point) => point.accuracy >= target)?.labels ?? null
}

export interface Spread {
  mean: number
  /** Sample standard deviation (n - 1); 0 for one value. */
  std: number
  n: number
}

export function spread(values: readonly number[]): Spread {
  const n = values.length
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 }
  const mean = values.reduce((sum, value) => sum + value, 0) / n
  const variance = n > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1) : 0
  return { mean, std: Math.sqrt(variance), n }
}

/** One strategy's runs (one per seed) summarised: the mean curve with its spread, and the labels each seed needed. */
export interface StrategyCurveSummary {
  strategy: string
  seeds: number
  curve: { labels: number; accuracy: Spread; macroF1: Spread }[]
  areaUnderCurve: Spread
  finalAccuracy: Spread
  /** Per seed, in the order given: labels to reach the target, null where a seed never did. */
  labelsToTarget: (number | null)[]
  /** Over the seeds that reached it; `n` says how many did. */
  labelsToTargetSpread: Spread
  selectionSeconds: Spread
}

/**
 * Summarises a strategy's seeds against one accuracy target. The seeds' curves must
 * share a schedule (the same labels at each round): averaging them otherwise would
 * mix different budgets.
 */
export function summarizeCurves(strategy: string, runs: readonly (readonly RoundResult[])[], target: number): StrategyCurveSummary {
  const schedule = runs[0]?.map((round) => round.labels) ?? []
  for (const rounds of runs) {
    if (rounds.length !== schedule.length || rounds.some((round, index) => round.labels !== schedule[index])) {
      throw new Error(`the ${strategy} runs do not share a label schedule: their curves cannot be averaged`)
    }
  }
  const labelsToTarget = runs.map((rounds) => labelsToReach(rounds, target))
  return {
    strategy,
    seeds: runs.length,
    curve: schedule.map((labels, index) => ({
      labels,
      accuracy: spread(runs.map((rounds) => rounds[index]!.accuracy)),
      macroF1: spread(runs.map((rounds) => rounds[index]!.macroF1)),
    })),
    areaUnderCurve: spread(runs.map((rounds) => areaUnderCurve(rounds))),
    finalAccuracy: spread(runs.map((rounds) => rounds.at(-1)?.accuracy ?? Number.NaN)),
    labelsToTarget,
    labelsToTargetSpread: spread(labelsToTarget.filter((labels): labels is number => labels !== null)),
    selectionSeconds: spread(runs.map((rounds) => rounds.reduce((sum, round) => sum + round.selectionSeconds, 0))),
  }
}
