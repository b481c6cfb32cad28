import { describe, expect, it } from 'vitest'
import type { MetricPoint } from '@bankbench/core'
import { progressReporter } from './training-progress'
import { trainSettings } from './train-settings'

describe('progressReporter', () => {
  it('streams the mean loss every 10 steps and the validation figures every epoch', async () => {
    const points: MetricPoint[] = []
    const progress = progressReporter({ reportMetrics: async (batch) => { points.push(...batch) }, log: () => {} })
    for (let step = 1; step <= 25; step++) {
      await progress.onStep({ step, epoch: 0, loss: step, learningRate: 0.1, gradNorm: 1, elapsedMs: 0 })
    }
    await progress.onEpoch({ epoch: 0, trainLoss: 13, validation: { accuracy: 0.5, loss: 2 }, elapsedMs: 1000 })
    expect(points).toEqual([
      { name: 'train_loss', value: 5.5, step: 10, epoch: 1 },
      { name: 'learning_rate', value: 0.1, step: 10, epoch: 1 },
      { name: 'train_loss', value: 15.5, step: 20, epoch: 1 },
      { name: 'learning_rate', value: 0.1, step: 20, epoch: 1 },
      { name: 'epoch_train_loss', value: 13, epoch: 1 },
      { name: 'validation_loss', value: 2, epoch: 1 },
      { name: 'validation_accuracy', value: 0.5, epoch: 1 },
    ])
  })
})

describe('trainSettings', () => {
  it('fills the trainer defaults and passes the rest to the PEFT method', () => {
    expect(trainSettings('lora', { r: 16, learning_rate: 0.01, target_modules: 'all-linear' })).toEqual({
      learningRate: 0.01, scheduler: 'linear', batchSize: 32, weightDecay: 0.01, warmupRatio: 0.06, maxLength: 64,
      peftConfig: { r: 16, lora_alpha: 32, target_modules: 'all-linear' },
    })
    expect(trainSettings('full', {})).toMatchObject({ learningRate: 5e-3, peftConfig: {} })
  })

  it('gives LoRA the platform\'s defaults (every linear layer, rank 16) unless the run names its own', () => {
    expect(trainSettings('lora', {}).peftConfig).toEqual({ target_modules: 'all-linear', r: 16, lora_alpha: 32 })
    expect(trainSettings('lora', { target_modules: ['query', 'value'], r: 8 }).peftConfig).toEqual({ target_modules: ['query', 'value'], r: 8, lora_alpha: 32 })
  })
})
