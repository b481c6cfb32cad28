import { percent } from './format'
import { isPretraining, isServable, methodVerdict, missedChecks, runVerdict } from './constraints'
import { paretoFront } from './pareto'
import { bestOverall, optimalLoraRank, qloraWorthIt } from './questions'
import type { Comparison, Constraints, ConstraintVerdict, MethodBestRow, ParetoFront, Recommendation, RecommendationCandidate } from './types'

/**
 * What the benchmark's measurements recommend: which runs and methods meet every
 * success criterion, the accuracy/cost Pareto fronts, the best method by
 * RECOMMENDATION_RULE (one that meets every criterion when any does, else the one
 * closest to it, with the criteria it misses) with the reasons, and the study's
 * questions answered from the data.
 */
export function recommend(comparison: Comparison, constraints: Constraints): Recommendation {
  // Pretraining builds a backbone: it is never a candidate.
  const rows = comparison.runs.filter((row) => !isPretraining(row.method))
  const methodRows = comparison.methods.filter((row) => !isPretraining(row.method))
  const runs = rows.filter((row) => row.status === 'succeeded').map((row) => runVerdict(row, constraints))
  const methods = methodRows.map((row) => methodVerdict(row, constraints))
  const paretoFronts = {
    accuracyVsMemory: paretoFront(rows, 'peakMemoryBytes'),
    accuracyVsTime: paretoFront(rows, 'trainSeconds'),
    accuracyVsParameters: paretoFront(rows, 'trainableParameters'),
  }
  const candidates = rankCandidates(methodRows, methods)
  const chosen = bestCandidate(candidates, methodRows, methods, paretoFronts)
  // A benchmark of runs that are not intent classifiers (slot tagging, generation, pretraining, …) has nothing to recommend, which is not a failure.
  const onlyOtherTasks = candidates.length === 0 && comparison.runs.some((row) => row.status === 'succeeded')
  const { best, noneReasons } = onlyOtherTasks
    ? { best: null, noneReasons: ['No intent classifier ran: the succeeded runs (slot tagging, generation, pretraining, data selection or vector stores) are not candidates for an intent classifier to deploy; their sections of the report compare them.'] }
    : chosen
  const candidateComparison = { ...comparison, runs: rows, methods: methodRows }
  return {
    benchmarkId: comparison.benchmarkId,
    constraints,
    runs,
    methods,
    paretoFronts,
    best,
    noneReasons,
    rule: RECOMMENDATION_RULE,
    candidates,
    questions: {
      optimalLoraRank: optimalLoraRank(candidateComparison),
      qloraWorthIt: qloraWorthIt(candidateComparison, constraints),
      bestOverall: bestOverall(candidateComparison, methods),
    },
  }
}

/** How `recommend` ranks the candidate methods (each at its best configuration, means over seeds). */
export const RECOMMENDATION_RULE = 'Methods that meet every criterion come first; then the highest mean validation accuracy (the test split only reports); '
  + 'then the fewest criteria missed (failed or unmeasured; a criterion that does not apply is not missed); then the lowest median latency; then plan order. '
  + 'Accuracy ranks before the count of missed criteria because a method that answers the bank\'s customers wrongly is no use however cheap it is. Pretraining runs are never candidates. '
  + 'A deployment of the recommendation serves the best-ranked candidate that can be served (any run that saves a classifier: engine runs and every baseline but llm-api).'

/** The candidates, best first by RECOMMENDATION_RULE. */
export function rankCandidates(rows: readonly MethodBestRow[], verdicts: readonly ConstraintVerdict[]): RecommendationCandidate[] {
  const candidates = rows.map((row, index): RecommendationCandidate & { index: number } => {
    const verdict = verdicts.find((item) => item.method === row.method)!
    const missed = missedChecks(verdict)
    return {
      method: row.method,
      configLabel: row.configLabel,
      runIds: row.runIds,
      meetsAll: verdict.meetsAll,
      criteriaMet: verdict.checks.length - missed.length,
      missedCriteria: missed.map((item) => item.constraint),
      misses: missed.map((item) => item.detail),
      servable: isServable(row.method),
      validationAccuracy: row.validationAccuracy?.mean ?? null,
      latencyP50Ms: row.latencyP50Ms?.mean ?? null,
      index,
    }
  })
  candidates.sort((a, b) => Number(b.meetsAll) - Number(a.meetsAll)
    || (b.validationAccuracy ?? -1) - (a.validationAccuracy ?? -1)
    || a.missedCriteria.length - b.missedCriteria.length
    || (a.latencyP50Ms ?? Number.POSITIVE_INFINITY) - (b.latencyP50Ms ?? Number.POSITIVE_INFINITY)
    || a.index - b.index)
  return candidates.map(({ index: _index, ...candidate }) => candidate)
}

/** Why the winner beat the methods exactly as accurate on validation that also meet every constraint: the sort's next key, lower median latency. */
function tieBreakReason(winner: RecommendationCandidate, tied: readonly RecommendationCandidate[]): string {
  const latency = (item: RecommendationCandidate) => item.latencyP50Ms === null ? 'unmeasured' : `${item.latencyP50Ms.toFixed(2)} ms`
  const slower = tied.filter((item) => (item.latencyP50Ms ?? Number.POSITIVE_INFINITY) > (winner.latencyP50Ms ?? Number.POSITIVE_INFINITY))
  return slower.length === tied.length
    ? `It ties on validation accuracy with ${tied.map((item) => item.method).join(', ')} and answers faster: median latency ${latency(winner)} against ${tied.map((item) => `${latency(item)} (${item.method})`).join(', ')}.`
    : `It ties on validation accuracy and latency with ${tied.map((item) => item.method).join(', ')}; it comes first in the benchmark's order of arms.`
}

function bestCandidate(candidates: readonly RecommendationCandidate[], rows: readonly MethodBestRow[], verdicts: readonly ConstraintVerdict[], fronts: Recommendation['paretoFronts']): Pick<Recommendation, 'best' | 'noneReasons'> {
  const winner = candidates[0]
  if (!winner) return { best: null, noneReasons: ['No run has succeeded yet.'] }
  const verdict = verdicts.find((item) => item.method === winner.method)!
  const row = rows.find((item) => item.method === winner.method)!
  const meeting = candidates.filter((candidate) => candidate.meetsAll)
  const noneReasons = meeting.length > 0 ? [] : verdicts.map((item) => `${item.method} (${item.configLabel}): ${missedChecks(item).map((check) => check.detail).join('; ')}`)
  const validation = row.validationAccuracy
  const validationText = `${validation ? percent(validation.mean) : 'unmeasured'} over ${validation?.n ?? 0} run${validation?.n === 1 ? '' : 's'}`
  const applicable = verdict.checks.filter((item) => item.state !== 'not-applicable')
  const notApplicable = verdict.checks.filter((item) => item.state === 'not-applicable')
  const reasons: string[] = []
  if (winner.meetsAll) {
    reasons.push(`It meets all ${applicable.length} constraints${notApplicable.length > 0 ? ' that apply to it' : ''}: ${applicable.map((item) => item.detail).join('; ')}.`)
    reasons.push(meeting.length === 1
      ? 'It is the only method that meets every constraint.'
      : `It has the highest mean validation accuracy (${validationText}) of the ${meeting.length} methods that meet every constraint: ${meeting.map((item) => item.method).join(', ')}.`)
    const tiedMeeting = meeting.filter((item) => item !== winner && item.validationAccuracy === winner.validationAccuracy)
    if (tiedMeeting.length > 0) reasons.push(tieBreakReason(winner, tiedMeeting))
  } else {
    reasons.push(`No method meets every constraint; it has the highest mean validation accuracy (${validationText}) and misses ${winner.missedCriteria.length} of ${verdict.checks.length}: ${winner.misses.join('; ')}.`)
    const tied = candidates.filter((item) => item.validationAccuracy === winner.validationAccuracy)
    if (tied.length > 1) reasons.push(`Of the ${tied.length} methods as accurate (${tied.map((item) => item.method).join(', ')}), it misses the fewest criteria.`)
  }
  if (notApplicable.length > 0) reasons.push(`Not applicable to it: ${notApplicable.map((item) => item.detail).join('; ')}.`)
  const runnerUp = candidates[1]
  if (runnerUp) reasons.push(`Runner-up: ${runnerUp.method} (${runnerUp.configLabel}) at ${runnerUp.validationAccuracy !== null ? percent(runnerUp.validationAccuracy) : 'unmeasured'} validation accuracy${runnerUp.meetsAll ? '' : `, missing ${runnerUp.missedCriteria.length} criteria`}.`)
  const onFronts = Object.entries(fronts).filter(([, front]) => (front as ParetoFront).points.some((point) => winner.runIds.includes(point.runId))).map(([name]) => FRONT_NAMES[name as keyof typeof FRONT_NAMES])
  if (onFronts.length > 0) reasons.push(`A run of it is on the Pareto front of ${onFronts.join(', ')}.`)
  if (!winner.servable) {
    const servable = candidates.find((item) => item.servable)
    reasons.push(servable
      ? `It cannot be served (it saves no classifier): a deployment of the recommendation serves ${servable.method} (${servable.configLabel}), the best-ranked candidate that can be.`
      : 'It cannot be served (it saves no classifier), and no candidate can.')
  }
  return {
    best: {
      method: winner.method, configLabel: winner.configLabel, runIds: winner.runIds, reasons,
      meetsAll: winner.meetsAll, missedCriteria: winner.missedCriteria, misses: winner.misses, servable: winner.servable,
    },
    noneReasons,
  }
}

const FRONT_NAMES = { accuracyVsMemory: 'accuracy vs memory', accuracyVsTime: 'accuracy vs training time', accuracyVsParameters: 'accuracy vs trainable parameters' } as const
