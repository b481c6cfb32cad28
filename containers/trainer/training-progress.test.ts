import { describe, expect, it } from 'vitest'
import type { MetricPoint } from '@bankbench/core'
import { progressReporter } from './training-progress'

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

  it('streams and logs the validation span F1 of a slot-filling epoch', async () => {
    const points: MetricPoint[] = []
    const lines: string[] = []
    const progress = progressReporter({ reportMetrics: async (batch) => { points.push(...batch) }, log: (line) => { lines.push(line) } })
    await progress.onEpoch({ epoch: 1, trainLoss: 0.2, validation: { accuracy: 0.94, loss: 0.2, spanMicroF1: 0.455 }, elapsedMs: 2000 })
    expect(points).toContainEqual({ name: 'validation_span_micro_f1', value: 0.455, epoch: 2 })
    expect(lines).toEqual(['epoch 2: train loss 0.2000, validation loss 0.2000 accuracy 94.00% span F1 45.50% (2 s)'])
  })
})
