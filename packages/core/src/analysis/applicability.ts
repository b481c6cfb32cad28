/**
 * Which figures do not apply to a run, so that the comparison and the report say "not
 * applicable" instead of showing an unmeasured gap: what the run's summary lists
 * (`notApplicable`, e.g. a slot tagger's intent accuracy) and what never applies to its
 * kind of method, for summaries written before runs listed them.
 */
import type { RunFigures } from '../contracts'
import { jobKindOf } from './constraints'

/** Pretraining builds a backbone: it classifies nothing and serves no queries. */
const PRETRAIN_FIGURES = ['accuracy', 'macroF1', 'validationAccuracy', 'latencyP50Ms', 'latencyP95Ms', 'throughputPerSecond', 'trainableParameters', 'adapterBytes']

/** Slot filling scores spans, not intents. */
const SLOT_FIGURES = ['accuracy', 'macroF1', 'validationAccuracy']

/** A generator writes intent names as text: scored by exact match and the generation metrics instead. */
const GENERATE_FIGURES = ['accuracy', 'macroF1', 'validationAccuracy']

/** Baselines with no neural parameters to train (tfidf-logreg's are a linear model's, which the reduction does not compare). */
const PARAMETER_FREE_BASELINES = new Set(['random', 'majority', 'tfidf-logreg', 'llm-api'])

/** The banking rubric's scores (docs/rubrics.md): only runs that deploy an intent classifier have them. */
export const RUBRIC_FIGURES = ['relevanceScore', 'securityScore']

/**
 * Job kinds whose runs are deployable intent classifiers (the hybrid included, and a generate run, which serving deploys
 * as the label whose name its decoder writes), except the llm-api baseline (it saves no classifier and cannot be deployed).
 */
const RUBRIC_KINDS = new Set(['train', 'baseline', 'hybrid', 'generate'])

/** Tensor backends that never touch a GPU; `tensorflow` (tfjs-node, tfjs-node-gpu) may, and its runs say whether it did. */
const CPU_ONLY_BACKENDS = new Set(['wasm', 'cpu'])

export function notApplicableFigures(method: string, summary: RunFigures | null): string[] {
  const listed = Array.isArray(summary?.notApplicable) ? summary.notApplicable.filter((name): name is string => typeof name === 'string') : []
  const kind = jobKindOf(method)
  const byKind = kind === 'pretrain' ? PRETRAIN_FIGURES
    : kind === 'slots' ? SLOT_FIGURES
      : kind === 'generate' ? GENERATE_FIGURES
      : PARAMETER_FREE_BASELINES.has(method) ? ['trainableParameters', 'adapterBytes'] : []
  const rubric = kind === null || !RUBRIC_KINDS.has(kind) || method === 'llm-api' ? RUBRIC_FIGURES : []
  return [...new Set([...listed, ...byKind, ...rubric, ...(ranWithoutGpu(summary) ? ['peakGpuMemoryBytes'] : [])])]
}

/**
 * A run that used no GPU, so has no GPU memory to measure: no tensor backend at all (TF-IDF, the rules, an LLM
 * endpoint) or a CPU-only one. Runs on `tensorflow` list it themselves when it had no GPU (`notApplicable`).
 */
function ranWithoutGpu(summary: RunFigures | null): boolean {
  if (summary === null) return false
  const measuredGpu = typeof summary.peakGpuMemoryBytes === 'number'
  return !measuredGpu && (typeof summary.backend !== 'string' || CPU_ONLY_BACKENDS.has(summary.backend))
}
