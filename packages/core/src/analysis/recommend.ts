import { percent } from './format'
import { methodVerdict, runVerdict } from './constraints'
import { paretoFront } from './pareto'
import { bestOverall, optimalLoraRank, qloraWorthIt, rankByValidation } from './questions'
import type { Comparison, Constraints, ConstraintVerdict, MethodBestRow, ParetoFront, Recommendation } from './types'

/**
 * What the benchmark's measurements recommend: which runs and methods meet every
 * success criterion, the accuracy/cost Pareto fronts, the best method under the
 * constraints (by mean validation accuracy: the test split only reports) with the
 * reasons, and the study's questions answered from the data.
 */
export function recommend(comparison: Comparison, constraints: Constraints): Recommendation {
  const runs = comparison.runs.filter((row) => row.status === 'succeeded').map((row) => runVerdict(row, constraints))
  const methods = comparison.methods.map((row) => methodVerdict(row, constraints))
  const paretoFronts = {
    accuracyVsMemory: paretoFront(comparison.runs, 'peakMemoryBytes'),
    accuracyVsTime: paretoFront(comparison.runs, 'trainSeconds'),
    accuracyVsParameters: paretoFront(comparison.runs, 'trainableParameters'),
  }
  const { best, noneReasons } = bestUnderConstraints(comparison.methods, methods, paretoFronts)
  return {
    benchmarkId: comparison.benchmarkId,
    constraints,
    runs,
    methods,
    paretoFronts,
    best,
    noneReasons,
    questions: {
      optimalLoraRank: optimalLoraRank(comparison),
      qloraWorthIt: qloraWorthIt(comparison, constraints),
      bestOverall: bestOverall(comparison, methods),
    },
  }
}

function bestUnderConstraints(rows: readonly MethodBestRow[], verdicts: readonly ConstraintVerdict[], fronts: Recommendation['paretoFronts']): Pick<Recommendation, 'best' | 'noneReasons'> {
  if (rows.length === 0) return { best: null, noneReasons: ['No run has succeeded yet.'] }
  const meeting = new Set(verdicts.filter((verdict) => verdict.meetsAll).map((verdict) => verdict.method))
  const candidates = rankByValidation(rows.filter((row) => meeting.has(row.method)))
  const winner = candidates[0]
  if (!winner) {
    return {
      best: null,
      noneReasons: verdicts.map((verdict) => `${verdict.method} (${verdict.configLabel}): ${verdict.checks.filter((item) => item.passed !== true).map((item) => item.detail).join('; ')}`),
    }
  }
  const verdict = verdicts.find((item) => item.method === winner.method)!
  const validation = winner.validationAccuracy
  const reasons = [
    `It meets all ${verdict.checks.length} constraints: ${verdict.checks.map((item) => item.detail).join('; ')}.`,
    candidates.length === 1
      ? 'It is the only method that meets every constraint.'
      : `It has the highest mean validation accuracy (${validation ? percent(validation.mean) : 'unmeasured'} over ${validation?.n ?? 0} run${validation?.n === 1 ? '' : 's'}) of the ${candidates.length} methods that meet every constraint: ${candidates.map((row) => row.method).join(', ')}.`,
  ]
  const runnerUp = candidates[1]
  if (runnerUp) reasons.push(`Runner-up: ${runnerUp.method} (${runnerUp.configLabel}) at ${runnerUp.validationAccuracy ? percent(runnerUp.validationAccuracy.mean) : 'unmeasured'} validation accuracy.`)
  const onFronts = Object.entries(fronts).filter(([, front]) => (front as ParetoFront).points.some((point) => winner.runIds.includes(point.runId))).map(([name]) => FRONT_NAMES[name as keyof typeof FRONT_NAMES])
  if (onFronts.length > 0) reasons.push(`A run of it is on the Pareto front of ${onFronts.join(', ')}.`)
  return { best: { method: winner.method, configLabel: winner.configLabel, runIds: winner.runIds, reasons }, noneReasons: [] }
}

const FRONT_NAMES = { accuracyVsMemory: 'accuracy vs memory', accuracyVsTime: 'accuracy vs training time', accuracyVsParameters: 'accuracy vs trainable parameters' } as const
