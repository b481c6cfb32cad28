import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { decodeTrainerState, encodeTrainerState, type TrainerState } from './checkpoint'
import { readVariables, toyTask } from './testing/toy-task'
import { train, type StepMetrics, type TrainOptions } from './trainer'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const disposers: (() => void)[] = []
afterEach(() => disposers.splice(0).forEach((dispose) => dispose()))

function makeTask(options: Parameters<typeof toyTask>[0] = { initSeed: 1 }) {
  const toy = toyTask(options)
  disposers.push(toy.dispose)
  return toy.task
}

const baseOptions: TrainOptions = { epochs: 4, batchSize: 16, learningRate: 0.05, weightDecay: 0.01, warmupRatio: 0.1, seed: 3 }

/** Stores checkpoints the way a job does: as safetensors bytes. */
function checkpointStore() {
  let saved: Uint8Array | null = null
  const steps: number[] = []
  return {
    saveCheckpoint: (state: TrainerState) => {
      saved = encodeTrainerState(state)
      steps.push(state.step)
    },
    loadCheckpoint: () => (saved ? decodeTrainerState(saved) : null),
    savedAtSteps: steps,
  }
}

describe('train', () => {
  it('learns a separable toy problem: loss falls, validation accuracy rises', async () => {
    const task = makeTask()
    const before = await task.evaluate!('validation')
    const epochs: number[] = []
    const result = await train(task, { ...baseOptions, onEpoch: (metrics) => void epochs.push(metrics.trainLoss) })
    expect(result.status).toBe('completed')
    expect(result.steps).toBe(4 * 6)
    expect(epochs[3]!).toBeLessThan(epochs[0]! * 0.5)
    expect(result.history.at(-1)!.validation!.accuracy).toBeGreaterThan(0.9)
    expect(result.history.at(-1)!.validation!.accuracy).toBeGreaterThan(before.accuracy)
    expect(result.peakMemory.tensorBytes).toBeGreaterThan(0)
    expect(result.peakMemory.rssBytes).toBeGreaterThan(0)
  })

  it('streams step metrics with the scheduled learning rate', async () => {
    const steps: StepMetrics[] = []
    await train(makeTask(), { ...baseOptions, epochs: 1, warmupSteps: 2, onStep: (metrics) => void steps.push(metrics) })
    expect(steps.map((metrics) => metrics.step)).toEqual([1, 2, 3, 4, 5, 6])
    // 6 steps, 2 of warmup: lr·[0, 1/2, 1, 3/4, 1/2, 1/4] (HF linear schedule).
    const expected = [0, 0.025, 0.05, 0.0375, 0.025, 0.0125]
    steps.forEach((metrics, index) => expect(metrics.learningRate).toBeCloseTo(expected[index]!, 12))
    for (const metrics of steps) {
      expect(metrics.gradNorm).toBeGreaterThan(0)
      expect(metrics.elapsedMs).toBeGreaterThanOrEqual(0)
    }
  })

  it('is deterministic: the same seed gives the same loss curve and weights', async () => {
    const run = async (seed: number) => {
      const task = makeTask()
      const losses: number[] = []
      await train(task, { ...baseOptions, epochs: 2, seed, onStep: (metrics) => void losses.push(metrics.loss) })
      return { losses, weights: readVariables(task.variables) }
    }
    const first = await run(3)
    expect(await run(3)).toEqual(first)
    expect((await run(4)).losses).not.toEqual(first.losses)
  })

  it('does not leak tensors from step to step', async () => {
    const counts: number[] = []
    const task = makeTask()
    const before = tf.memory().numTensors
    await train(task, { ...baseOptions, epochs: 2, onStep: () => void counts.push(tf.memory().numTensors) })
    // After the first step the optimizer holds its moments (2 per variable); nothing else may accumulate.
    expect(new Set(counts)).toEqual(new Set([before + 2 * task.variables.size]))
    expect(tf.memory().numTensors).toBe(before)
  })

  it('stops early after `patience` evaluations without improvement and restores the best weights', async () => {
    const accuracies = [0.5, 0.8, 0.7, 0.75, 0.79, 0.9]
    let evaluation = 0
    const weightsAfterEpoch: Record<string, number[]>[] = []
    const task = makeTask({ initSeed: 1, evaluate: async () => ({ accuracy: accuracies[evaluation++]!, loss: 1 }) })
    const result = await train(task, {
      ...baseOptions,
      epochs: 6,
      earlyStopping: { patience: 2 },
      onEpoch: () => void weightsAfterEpoch.push(readVariables(task.variables)),
    })
    expect(result.status).toBe('early-stopped')
    expect(result.epochsCompleted).toBe(4) // 0.8 at epoch 1, then 0.7 and 0.75 do not beat it
    expect(result.best).toEqual({ metric: 'accuracy', value: 0.8, epoch: 1 })
    expect(readVariables(task.variables)).toEqual(weightsAfterEpoch[1])
    expect(readVariables(task.variables)).not.toEqual(weightsAfterEpoch[3])
  })

  it('treats metrics named *loss* as lower-is-better', async () => {
    const losses = [0.9, 0.4, 0.6]
    let evaluation = 0
    const task = makeTask({ initSeed: 1, evaluate: async () => ({ accuracy: 0, loss: losses[evaluation++]! }) })
    const result = await train(task, { ...baseOptions, epochs: 3, metricForBest: 'loss' })
    expect(result.best).toEqual({ metric: 'loss', value: 0.4, epoch: 1 })
  })

  it('resumes after a crash from the last checkpoint and ends with the same weights as an uninterrupted run', async () => {
    const uninterrupted = makeTask()
    const straightLosses: number[] = []
    const straight = await train(uninterrupted, { ...baseOptions, onStep: (metrics) => void straightLosses.push(metrics.loss) })

    const store = checkpointStore()
    const crashing = makeTask()
    const options = { ...baseOptions, checkpointEverySteps: 4, saveCheckpoint: store.saveCheckpoint, loadCheckpoint: store.loadCheckpoint }
    const crash = train(crashing, {
      ...options,
      onStep: (metrics) => {
        if (metrics.step === 15) throw new Error('simulated spot reclaim')
      },
    })
    await expect(crash).rejects.toThrow('simulated spot reclaim')
    expect(store.savedAtSteps).toEqual([4, 6, 8, 12]) // every 4 steps and at each epoch end (6 steps per epoch)

    // A new process: different initial weights, everything comes from the checkpoint.
    const resumedTask = makeTask({ initSeed: 99 })
    const resumedLosses: number[] = []
    const resumed = await train(resumedTask, { ...options, onStep: (metrics) => void resumedLosses.push(metrics.loss) })
    expect(resumedLosses).toEqual(straightLosses.slice(12))
    expect(readVariables(resumedTask.variables)).toEqual(readVariables(uninterrupted.variables))
    expect(resumed.history.map(({ elapsedMs: _elapsed, ...record }) => record)).toEqual(
      straight.history.map(({ elapsedMs: _elapsed, ...record }) => record),
    )
    expect(resumed.best).toEqual(straight.best)
  })

  it('cancels at the next step boundary, saves a checkpoint, and a retry finishes the job', async () => {
    const uninterrupted = makeTask()
    await train(uninterrupted, baseOptions)

    const store = checkpointStore()
    const controller = new AbortController()
    const cancelled = makeTask()
    const stepsSeen: number[] = []
    const result = await train(cancelled, {
      ...baseOptions,
      signal: controller.signal,
      saveCheckpoint: store.saveCheckpoint,
      onStep: (metrics) => {
        stepsSeen.push(metrics.step)
        if (metrics.step === 9) controller.abort()
      },
    })
    expect(result.status).toBe('cancelled')
    expect(result.steps).toBe(9)
    expect(stepsSeen.at(-1)).toBe(9)
    expect(store.savedAtSteps).toEqual([6, 9])

    const retried = makeTask({ initSeed: 5 })
    const finished = await train(retried, { ...baseOptions, loadCheckpoint: store.loadCheckpoint })
    expect(finished.status).toBe('completed')
    expect(readVariables(retried.variables)).toEqual(readVariables(uninterrupted.variables))
  })

  it('refuses a checkpoint made with another seed', async () => {
    const store = checkpointStore()
    await train(makeTask(), { ...baseOptions, epochs: 1, saveCheckpoint: store.saveCheckpoint })
    await expect(train(makeTask(), { ...baseOptions, seed: 4, loadCheckpoint: store.loadCheckpoint })).rejects.toThrow(/seed 3/)
  })
})
