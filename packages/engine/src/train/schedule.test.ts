import { describe, expect, it } from 'vitest'
import { learningRateMultiplier, resolveWarmupSteps } from './schedule'

// Hand values of HF's lambdas for 10 steps with 2 warmup steps.
const schedule = { warmupSteps: 2, totalSteps: 10 }

describe('learningRateMultiplier', () => {
  it('linear: ramps up over warmup, then decays linearly to 0 and stays there', () => {
    const values = [0, 1, 2, 3, 6, 10, 12].map((step) => learningRateMultiplier('linear', step, schedule))
    expect(values).toEqual([0, 0.5, 1, 7 / 8, 4 / 8, 0, 0])
  })

  it('cosine: half a cosine wave after warmup', () => {
    const values = [0, 1, 2, 4, 6, 10].map((step) => learningRateMultiplier('cosine', step, schedule))
    expect(values[0]).toBe(0)
    expect(values[1]).toBe(0.5)
    expect(values[2]).toBe(1)
    expect(values[3]).toBeCloseTo(0.5 * (1 + Math.SQRT1_2), 12) // progress 1/4: 0.5 * (1 + cos(pi/4))
    expect(values[4]).toBeCloseTo(0.5, 12)
    expect(values[5]).toBeCloseTo(0, 12)
  })

  it('constant: warmup, then the base rate', () => {
    expect([0, 1, 2, 9].map((step) => learningRateMultiplier('constant', step, schedule))).toEqual([0, 0.5, 1, 1])
  })

  it('without warmup starts at the full rate', () => {
    expect(learningRateMultiplier('linear', 0, { warmupSteps: 0, totalSteps: 4 })).toBe(1)
    expect(learningRateMultiplier('linear', 1, { warmupSteps: 0, totalSteps: 4 })).toBe(0.75)
  })
})

describe('resolveWarmupSteps', () => {
  it('rounds warmup_ratio up, as HF TrainingArguments.get_warmup_steps does', () => {
    expect(resolveWarmupSteps(95, { warmupRatio: 0.1 })).toBe(10)
    expect(resolveWarmupSteps(95, {})).toBe(0)
  })

  it('lets explicit warmup steps win over a ratio', () => {
    expect(resolveWarmupSteps(95, { warmupRatio: 0.1, warmupSteps: 3 })).toBe(3)
  })
})
