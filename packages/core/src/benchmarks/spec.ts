import { z } from 'zod'
import type { Constraints } from '../analysis/types'
import { METHOD_NAMES } from './methods'
import { PRESET_NAMES, presetBaseModels } from './presets'
import { nameString, strictObject } from '../validation'

/** Every object of a spec is strict: a misspelled key is a 400 that names it, never a setting silently ignored. */
const gridValue = z.union([nameString(), z.number(), z.boolean(), z.array(nameString())])

export const armSchema = strictObject({
  method: nameString().min(1).max(100).describe(`One of: ${METHOD_NAMES.join(', ')}`),
  /** Fixed hyperparameters of every run of this arm. */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Hyperparameters to sweep: every combination becomes a run (times each seed). */
  grid: z.record(z.string(), z.array(gridValue).min(1).max(20)).default({}),
})

/** The study's training subsets: a seeded 1,000 to 5,000 rows, or (omitted) the whole train split. */
export const TRAIN_SUBSET_RANGE = { min: 1000, max: 5000 } as const

/** `official`: the whole test split (3,080 rows for Banking77); `sample500`: a fixed-seed sample of 500 of them, for quick studies. */
export const TEST_SETS = ['official', 'sample500'] as const
export type TestSetChoice = (typeof TEST_SETS)[number]

export const protocolSchema = strictObject({
  seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(10).default([42]),
  epochs: z.number().int().min(1).max(100).default(3),
  /** Train on a seeded subset of this many rows instead of the whole train split (omit for all of it). */
  trainSubset: z.number().int().min(TRAIN_SUBSET_RANGE.min, `trainSubset must be at least ${TRAIN_SUBSET_RANGE.min} rows (the study's smallest subset); omit it to train on the full split`)
    .max(TRAIN_SUBSET_RANGE.max, `trainSubset must be at most ${TRAIN_SUBSET_RANGE.max} rows (the study's largest subset); omit it to train on the full split`)
    .optional(),
  testSet: z.enum(TEST_SETS).default('official'),
  /** Wall-clock limit of each run's job. */
  timeoutSeconds: z.number().int().min(10).max(7 * 24 * 3600).default(6 * 3600),
})

/**
 * The success criteria every run and method is checked against (`recommend`).
 * Defaults are the study's: 88% test accuracy, 50 ms median latency per query,
 * 2 GiB of GPU memory (the peak of the run's own process on a GPU; it does not apply to runs without one),
 * 10x fewer trainable parameters than full fine-tuning, one hour of training.
 */
export const constraintsSchema = strictObject({
  minAccuracy: z.number().min(0).max(1).default(0.88),
  maxLatencyMs: z.number().positive().default(50),
  maxGpuMemoryBytes: z.number().int().positive().default(2 * 1024 ** 3),
  minParameterReduction: z.number().min(1).default(10),
  maxTrainingSeconds: z.number().positive().default(3600),
}) satisfies z.ZodType<Constraints>

/**
 * What a benchmark may spend. `maxRuns` is checked when the plan is made. GPU hours
 * cannot be known before a run has finished (no duration model), so `maxGpuHours`
 * is enforced while the benchmark runs: each time a run ends, the measured hours of
 * all its runs are summed and, once over budget, runs still queued are cancelled
 * (running ones finish: their hours are already spent). See `enforceGpuBudget`.
 */
export const budgetSchema = strictObject({
  maxRuns: z.number().int().min(1).max(1000).default(200),
  maxGpuHours: z.number().positive().max(10_000).optional(),
})

const presetName = z.enum(PRESET_NAMES).describe(`One of: ${PRESET_NAMES.join(', ')}`)

/** An arm that stands for all the arms of a preset. */
export const presetArmSchema = strictObject({ preset: presetName })

/**
 * Runs a seeded part of a large grid: at most `maxRunsPerMethod` runs of each
 * method, drawn from the planned runs with `seed`, kept in plan order.
 */
export const subsampleSchema = strictObject({
  maxRunsPerMethod: z.number().int().min(1).max(1000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
})

export const benchmarkSpecSchema = strictObject({
  name: nameString().min(1).max(200).optional(),
  /** `banking77` or the id of an uploaded dataset. */
  dataset: nameString().min(1).max(200).default('banking77'),
  /** HF-layout checkpoint for training arms: file://, s3://, hf://, or the id of a pretrain run's model. */
  baseModel: nameString().min(1).max(2048).optional(),
  /** The arms, written out or as `{ preset }` entries; or give `preset` instead. */
  arms: z.array(z.union([armSchema, presetArmSchema])).min(1).max(50).optional(),
  /** A named plan (GET /v1/presets) instead of `arms`; its protocol fills the fields `protocol` leaves out. */
  preset: presetName.optional(),
  subsample: subsampleSchema.optional(),
  protocol: protocolSchema.prefault({}),
  constraints: constraintsSchema.prefault({}),
  budget: budgetSchema.prefault({}),
}).refine((spec) => (spec.arms === undefined) !== (spec.preset === undefined), { message: 'give either arms or preset (one of them, not both)', path: ['arms'] })
  .refine((spec) => spec.baseModel !== undefined || presetBaseModels((spec.arms ?? []).flatMap((arm) => ('preset' in arm ? [arm.preset] : []))).length <= 1, {
    message: 'these preset arms train on different base models, and a benchmark has one: submit one benchmark per preset, or name baseModel',
    path: ['baseModel'],
  })

export type BenchmarkSpec = z.infer<typeof benchmarkSpecSchema>
export type BenchmarkSpecInput = z.input<typeof benchmarkSpecSchema>
export type BudgetSpec = z.infer<typeof budgetSchema>
export type Arm = z.infer<typeof armSchema>
