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
  peakMemoryBytes: number | null
  parameterReduction: number | null
  trainSeconds: number | null
}

/** How a method runs, from the catalog; null for a name it does not know (every criterion then applies). */
export function jobKindOf(method: string): (typeof METHOD_CATALOG)[keyof typeof METHOD_CATALOG]['jobKind'] | null {
  return isMethodName(method) ? METHOD_CATALOG[method].jobKind : null
}

/**
 * Runs that are not intent classifiers, so never candidates for recommendation or deployment:
 * pretraining (mlm-pretrain) builds a backbone, data selection (select) measures how many labels a
 * learner needs, slot taggers (slots) find entities, and vector-store benchmarks (vector-bench)
 * measure retrieval: their kNN accuracy is not a classifier's to weigh against the study's criteria.
 */
export function isPretraining(method: string): boolean {
  const kind = jobKindOf(method)
  return kind === 'pretrain' || kind === 'select' || kind === 'slots' || kind === 'vector-bench'
}

/**
 * The baselines whose runs save a classifier serving loads (model.json: @bankbench/baselines'
 * loadSavedBaseline). llm-api saves none: it answers by asking a third party's model, which
 * a bank's classify endpoint must not send customer messages to.
 */
export const SERVABLE_BASELINE_METHODS = ['random', 'majority', 'tfidf-logreg', 'frozen-probe', 'centroid'] as const

/** Whether a method's runs can be deployed: fine-tuned engine runs and the baselines that save a classifier. */
export function isServable(method: string): boolean {
  return jobKindOf(method) === 'train' || (SERVABLE_BASELINE_METHODS as readonly string[]).includes(method)
}

/**
 * Whether a criterion applies to a method. The trainable-parameter reduction applies only to
 * fine-tuning (baselines train no transformer parameters). Memory is the process's peak RSS,
 * measured for every run, so it applies to all.
 */
export function criterionApplies(method: string, constraint: ConstraintName): boolean {
  // A slot tagger has no intent accuracy; its quality is span F1.
  if (constraint === 'minAccuracy' && jobKindOf(method) === 'slots') return false
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
    peakMemoryBytes: row.peakMemoryBytes?.mean ?? null,
    parameterReduction: row.parameterReduction,
    trainSeconds: row.trainSeconds?.mean ?? null,
  }, constraints)
}

function verdict(method: string, configLabel: string, runIds: string[], measured: Measured, constraints: Constraints): ConstraintVerdict {
  const check = (constraint: ConstraintName, value: number | null, direction: 'at-least' | 'at-most', what: string, format: (value: number) => string) =>
    checkOne(constraint, constraints[constraint], criterionApplies(method, constraint) ? value : NOT_APPLICABLE, direction, what, format)
  const checks = [
    check('minAccuracy', measured.accuracy, 'at-least', 'test accuracy', percent),
    check('maxLatencyMs', measured.latencyP50Ms, 'at-most', 'median latency per query', milliseconds),
    check('maxGpuMemoryBytes', measured.peakMemoryBytes, 'at-most', 'peak process memory (RSS)', bytes),
    check('minParameterReduction', measured.parameterReduction, 'at-least', 'fewer trainable parameters than full fine-tuning', times),
    check('maxTrainingSeconds', measured.trainSeconds, 'at-most', 'training time', seconds),
  ]
  return { method, configLabel, runIds, meetsAll: checks.every((item) => item.state === 'met' || item.state === 'not-applicable'), checks }
}

const NOT_APPLICABLE = Symbol('not applicable')

function checkOne(constraint: ConstraintName, threshold: number, measured: number | null | typeof NOT_APPLICABLE, direction: 'at-least' | 'at-most', what: string, format: (value: number) => string): ConstraintCheck {
  const bound = `${direction === 'at-least' ? '≥' : '≤'} ${format(threshold)}`
  if (measured === NOT_APPLICABLE) {
    return { constraint, threshold, measured: null, passed: null, state: 'not-applicable', detail: `${what} (${bound}) does not apply: the method trains no transformer parameters` }
  }
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
