import type { z } from 'zod'
import { constraintsSchema } from '../benchmarks/spec'
import { bytes, milliseconds, percent, seconds, times } from './format'
import type { ComparisonRow, ConstraintCheck, ConstraintName, Constraints, ConstraintVerdict, MemorySource, MethodBestRow } from './types'

/** The benchmark's success criteria, with the study's defaults for any it did not set (older benchmarks set none). */
export function constraintsOf(spec: { constraints?: z.input<typeof constraintsSchema> | undefined }): Constraints {
  return constraintsSchema.parse(spec.constraints ?? {})
}

/** The figures a verdict reads: a run's own, or a method's means over seeds. */
interface Measured {
  accuracy: number | null
  latencyP50Ms: number | null
  peakMemoryBytes: number | null
  memorySource: MemorySource | null
  parameterReduction: number | null
  trainSeconds: number | null
}

const MEMORY_SOURCE_NAMES: Record<MemorySource, string> = { gpu: 'GPU memory', tensor: 'peak tensor memory (no GPU measured)', rss: 'process RSS (no GPU or tensor memory measured)' }

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
    memorySource: row.memorySource,
    parameterReduction: row.parameterReduction,
    trainSeconds: row.trainSeconds?.mean ?? null,
  }, constraints)
}

function verdict(method: string, configLabel: string, runIds: string[], measured: Measured, constraints: Constraints): ConstraintVerdict {
  const memoryName = measured.memorySource ? MEMORY_SOURCE_NAMES[measured.memorySource] : 'peak memory'
  const checks = [
    check('minAccuracy', constraints.minAccuracy, measured.accuracy, 'at-least', 'test accuracy', percent),
    check('maxLatencyMs', constraints.maxLatencyMs, measured.latencyP50Ms, 'at-most', 'median latency per query', milliseconds),
    check('maxGpuMemoryBytes', constraints.maxGpuMemoryBytes, measured.peakMemoryBytes, 'at-most', memoryName, bytes),
    check('minParameterReduction', constraints.minParameterReduction, measured.parameterReduction, 'at-least', 'fewer trainable parameters than full fine-tuning', times),
    check('maxTrainingSeconds', constraints.maxTrainingSeconds, measured.trainSeconds, 'at-most', 'training time', seconds),
  ]
  return { method, configLabel, runIds, meetsAll: checks.every((item) => item.passed === true), checks }
}

function check(constraint: ConstraintName, threshold: number, measured: number | null, direction: 'at-least' | 'at-most', what: string, format: (value: number) => string): ConstraintCheck {
  if (measured === null) {
    return { constraint, threshold, measured, passed: null, detail: `${what} was not measured, so the constraint (${direction === 'at-least' ? '≥' : '≤'} ${format(threshold)}) is not met` }
  }
  const passed = direction === 'at-least' ? measured >= threshold : measured <= threshold
  const relation = direction === 'at-least' ? (passed ? '≥' : '<') : (passed ? '≤' : '>')
  return { constraint, threshold, measured, passed, detail: `${what} ${format(measured)} ${relation} ${format(threshold)}` }
}
