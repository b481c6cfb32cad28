import type { z } from 'zod'
import { constraintsSchema } from '../benchmarks/spec'
import { isMethodName, METHOD_CATALOG } from '../benchmarks/methods'
import { bytes, milliseconds, percent, seconds, times } from './format'
import type { ComparisonRow, ConstraintCheck, ConstraintName, Constraints, ConstraintVerdict, MethodBestRow } from './types'

/** The benchmark's success criteria, with the study's defaults for any it did not set (older benchmarks set none). */
export function constraintsOf(spec: { constraints?: z.input<typeof constraintsSchema> | undefined }): Constraints {
  return constraintsSchema.parse(spec.constraints ?? {})
}

/** The figures a verdict reads: a run's own, or a method's means over seeds. */
interface Measured {
  accuracy: number | null
  latencyP50Ms: number | null
  /** Peak GPU memory of the run's own process (a method's mean over seeds). */
  peakGpuMemoryBytes: number | null
  parameterReduction: number | null
  trainSeconds: number | null
  /** The figures that do not apply to the run (`notApplicableFigures`). */
  notApplicable: readonly string[]
}

/** How a method runs, from the catalog; null for a name it does not know (every criterion then applies). */
export function jobKindOf(method: string): (typeof METHOD_CATALOG)[keyof typeof METHOD_CATALOG]['jobKind'] | null {
  return isMethodName(method) ? METHOD_CATALOG[method].jobKind : null
}

/**
 * Runs that are not intent classifiers, so never candidates for recommendation or deployment:
 * pretraining (mlm-pretrain) builds a backbone, data selection (select) measures how many labels a
 * learner needs, slot taggers (slots) find entities, generators (generate) write intent names as text, embedding sets (embed) and
 * store indexes (index) are what the vector jobs read, and vector-store benchmarks (vector-bench) measure retrieval: their kNN
 * accuracy is not a classifier's to weigh against the study's criteria.
 */
export function isPretraining(method: string): boolean {
  const kind = jobKindOf(method)
  return kind === 'pretrain' || kind === 'select' || kind === 'slots' || kind === 'generate' || kind === 'embed' || kind === 'index' || kind === 'vector-bench'
}

/**
 * The baselines whose runs save a classifier serving loads (model.json: @bankbench/baselines'
 * loadSavedBaseline). llm-api saves none: it answers by asking a third party's model, which
 * a bank's classify endpoint must not send customer messages to.
 */
export const SERVABLE_BASELINE_METHODS = ['random', 'majority', 'tfidf-logreg', 'frozen-probe', 'centroid'] as const

/** Whether a method's runs can be deployed: fine-tuned engine runs and the baselines that save a classifier. */
export function isServable(method: string): boolean {
  return jobKindOf(method) === 'train' || method === 'hybrid' || (SERVABLE_BASELINE_METHODS as readonly string[]).includes(method)
}

/**
 * Whether a criterion applies to a method. The trainable-parameter reduction applies only to
 * fine-tuning (baselines train no transformer parameters). GPU memory applies to every method;
 * whether it applies to a run depends on whether the run had a GPU (`verdict`).
 */
export function criterionApplies(method: string, constraint: ConstraintName): boolean {
  // A slot tagger has no intent accuracy; its quality is span F1.
  if (constraint === 'minAccuracy' && jobKindOf(method) === 'slots') return false
  // A generator is scored by exact match of the intent name it writes, not as a classifier's accuracy.
  if (constraint === 'minAccuracy' && jobKindOf(method) === 'generate') return false
  if (constraint === 'minParameterReduction') {
    const kind = jobKindOf(method)
    return kind === null || kind === 'train'
  }
  return true
}

/** Checks one run against every constraint. */
export function runVerdict(row: ComparisonRow, constraints: Constraints): ConstraintVerdict {
  return verdict(row.method, row.configLabel, [row.runId], row, constraints)
}

/** Checks a method's best configuration, by its means over seeds, against every constraint. */
export function methodVerdict(row: MethodBestRow, constraints: Constraints): ConstraintVerdict {
  return verdict(row.method, row.configLabel, row.runIds, {
    accuracy: row.accuracy?.mean ?? null,
    latencyP50Ms: row.latencyP50Ms?.mean ?? null,
    peakGpuMemoryBytes: row.peakGpuMemoryBytes?.mean ?? null,
    parameterReduction: row.parameterReduction,
    trainSeconds: row.trainSeconds?.mean ?? null,
    notApplicable: row.notApplicable,
  }, constraints)
}

/**
 * The GPU-memory criterion reads the peak GPU memory of the run's own process (nvidia-smi's compute apps, by pid,
 * under TF_FORCE_GPU_ALLOW_GROWTH), never the process's RSS or the whole device: a run without a GPU (the wasm
 * backend, a baseline) has none, so the criterion does not apply to it rather than passing; a GPU run without the
 * figure is unmeasured, and misses it.
 */
const GPU_MEMORY_NOT_APPLICABLE = 'the run used no GPU (its peak process memory, RSS, is the memory column, and is not GPU memory)'

function verdict(method: string, configLabel: string, runIds: string[], measured: Measured, constraints: Constraints): ConstraintVerdict {
  const check = (constraint: ConstraintName, value: number | null, direction: 'at-least' | 'at-most', what: string, format: (value: number) => string) =>
    criterionApplies(method, constraint)
      ? checkOne(constraint, constraints[constraint], value, direction, what, format)
      : notApplicable(constraint, constraints[constraint], direction, what, format,
        constraint === 'minAccuracy' ? 'a slot tagger has no intent accuracy (span F1 scores it)' : 'the method trains no transformer parameters')
  const gpuMemory = (what: string) => measured.notApplicable.includes('peakGpuMemoryBytes')
    ? notApplicable('maxGpuMemoryBytes', constraints.maxGpuMemoryBytes, 'at-most', what, bytes, GPU_MEMORY_NOT_APPLICABLE)
    : check('maxGpuMemoryBytes', measured.peakGpuMemoryBytes, 'at-most', what, bytes)
  const checks = [
    check('minAccuracy', measured.accuracy, 'at-least', 'test accuracy', percent),
    check('maxLatencyMs', measured.latencyP50Ms, 'at-most', 'median latency per query', milliseconds),
    gpuMemory('peak GPU memory of the run\'s process'),
    check('minParameterReduction', measured.parameterReduction, 'at-least', 'fewer trainable parameters than full fine-tuning', times),
    check('maxTrainingSeconds', measured.trainSeconds, 'at-most', 'training time', seconds),
  ]
  return { method, configLabel, runIds, meetsAll: checks.every((item) => item.state === 'met' || item.state === 'not-applicable'), checks }
}

const boundOf = (threshold: number, direction: 'at-least' | 'at-most', format: (value: number) => string) => `${direction === 'at-least' ? '≥' : '≤'} ${format(threshold)}`

function notApplicable(constraint: ConstraintName, threshold: number, direction: 'at-least' | 'at-most', what: string, format: (value: number) => string, reason: string): ConstraintCheck {
  return { constraint, threshold, measured: null, passed: null, state: 'not-applicable', detail: `${what} (${boundOf(threshold, direction, format)}) does not apply: ${reason}` }
}

function checkOne(constraint: ConstraintName, threshold: number, measured: number | null, direction: 'at-least' | 'at-most', what: string, format: (value: number) => string): ConstraintCheck {
  const bound = boundOf(threshold, direction, format)
  if (measured === null) {
    return { constraint, threshold, measured, passed: null, state: 'unmeasured', detail: `${what} was not measured, so the constraint (${bound}) is not met` }
  }
  const passed = direction === 'at-least' ? measured >= threshold : measured <= threshold
  const relation = direction === 'at-least' ? (passed ? '≥' : '<') : (passed ? '≤' : '>')
  return { constraint, threshold, measured, passed, state: passed ? 'met' : 'failed', detail: `${what} ${format(measured)} ${relation} ${format(threshold)}` }
}

/** The checks a verdict misses: failed or unmeasured (not-applicable ones are neither met nor missed). */
export function missedChecks(verdict: ConstraintVerdict): ConstraintCheck[] {
  return verdict.checks.filter((item) => item.state === 'failed' || item.state === 'unmeasured')
}
