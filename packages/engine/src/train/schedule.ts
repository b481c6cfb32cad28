/**
 * Learning-rate schedules, the same functions as Hugging Face transformers'
 * `get_linear_schedule_with_warmup`, `get_cosine_schedule_with_warmup` and
 * `get_constant_schedule_with_warmup`: each maps the number of optimizer steps
 * already taken to a multiplier of the base learning rate.
 *
 * As in a PyTorch `LambdaLR`, the update made at 0-based step `s` uses
 * `multiplier(s)`, so with warmup the very first update has learning rate 0.
 */

export type SchedulerName = 'linear' | 'cosine' | 'constant'

export interface ScheduleOptions {
  warmupSteps: number
  totalSteps: number
}

export function learningRateMultiplier(name: SchedulerName, step: number, { warmupSteps, totalSteps }: ScheduleOptions): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps)
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps)
  switch (name) {
    case 'linear':
      return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps))
    case 'cosine':
      // HF's default num_cycles = 0.5: half a cosine wave, from 1 down to 0.
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 2 * 0.5 * progress)))
    case 'constant':
      return 1
  }
}

/** HF TrainingArguments: `warmup_steps` wins when set, else `ceil(warmup_ratio * total)`. */
export function resolveWarmupSteps(totalSteps: number, warmup: { warmupSteps?: number; warmupRatio?: number }): number {
  if (warmup.warmupSteps !== undefined && warmup.warmupSteps > 0) return warmup.warmupSteps
  return Math.ceil((warmup.warmupRatio ?? 0) * totalSteps)
}
