import { z } from 'zod'
import { METHOD_NAMES } from './methods'

const gridValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])

export const armSchema = z.object({
  method: z.string().min(1).describe(`One of: ${METHOD_NAMES.join(', ')}`),
  /** Fixed hyperparameters of every run of this arm. */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Hyperparameters to sweep: every combination becomes a run (times each seed). */
  grid: z.record(z.string(), z.array(gridValue).min(1).max(20)).default({}),
})

export const protocolSchema = z.object({
  seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(10).default([42]),
  epochs: z.number().int().min(1).max(100).default(3),
  /** Train on a seeded subset of this many rows instead of the whole train split. */
  trainSubset: z.number().int().min(10).max(1_000_000).optional(),
  /** Wall-clock limit of each run's job. */
  timeoutSeconds: z.number().int().min(10).max(7 * 24 * 3600).default(6 * 3600),
})

export const benchmarkSpecSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  /** `banking77` or the id of an uploaded dataset. */
  dataset: z.string().min(1).default('banking77'),
  /** HF-layout checkpoint for training arms: file://, s3://, hf://, or the id of a pretrain run's model. */
  baseModel: z.string().min(1).optional(),
  arms: z.array(armSchema).min(1).max(50),
  protocol: protocolSchema.default({ seeds: [42], epochs: 3, timeoutSeconds: 6 * 3600 }),
  maxRuns: z.number().int().min(1).max(1000).default(200),
})

export type BenchmarkSpec = z.infer<typeof benchmarkSpecSchema>
export type BenchmarkSpecInput = z.input<typeof benchmarkSpecSchema>
