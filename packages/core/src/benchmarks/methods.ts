import { z } from 'zod'
import type { JobKind } from '../jobs/job-queue'

/**
 * The catalog of what a benchmark arm may name, and the hyperparameters each
 * accepts. Names and fields follow Hugging Face PEFT; defaults are applied by the
 * code that runs the method (the engine, the baselines), not here: this is the
 * edge's validation, so unknown fields and wrong types are refused before anything
 * is stored.
 */
const probability = z.number().min(0).max(1)
const positiveInt = z.number().int().positive()

const trainerFields = {
  learning_rate: z.number().positive().max(1),
  lr_scheduler: z.enum(['linear', 'cosine', 'constant']),
  batch_size: positiveInt.max(1024),
  weight_decay: z.number().min(0).max(1),
  warmup_ratio: probability,
  max_length: positiveInt.max(4096),
}

export const METHOD_CATALOG = {
  random: { jobKind: 'baseline', config: z.object({}).strict() },
  majority: { jobKind: 'baseline', config: z.object({}).strict() },
  'tfidf-logreg': {
    jobKind: 'baseline',
    config: z.object({ C: z.number().positive(), max_iterations: positiveInt.max(10_000) }).partial().strict(),
  },
  full: { jobKind: 'train', config: z.object(trainerFields).partial().strict() },
  lora: {
    jobKind: 'train',
    config: z.object({
      ...trainerFields,
      r: positiveInt.max(1024),
      lora_alpha: z.number().positive(),
      lora_dropout: probability,
      target_modules: z.union([z.literal('all-linear'), z.array(z.string().min(1)).min(1)]),
    }).partial().strict(),
  },
} as const satisfies Record<string, { jobKind: JobKind; config: z.ZodType }>

export type MethodName = keyof typeof METHOD_CATALOG
export const METHOD_NAMES = Object.keys(METHOD_CATALOG) as MethodName[]

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHOD_CATALOG, name)
}
