import * as tf from '@tensorflow/tfjs'
import { makeBatches, batchesPerEpoch } from './batches'
import {
  restoreVariables,
  snapshotVariables,
  type EpochRecord,
  type EvaluationMetrics,
  type TrainerState,
} from './checkpoint'
import { clipGradientsByGlobalNorm, globalNorm } from './clip'
import { AdamW, type AdamWOptions } from './optimizer'
import { ResourceMonitor, type ResourcePeaks } from './resources'
import { learningRateMultiplier, resolveWarmupSteps, type SchedulerName } from './schedule'

export interface LossContext {
  training: boolean
  /** 0-based index of the optimizer step this loss is for: seed dropout from it so a resumed run repeats it. */
  step: number
}

/**
 * What the trainer needs from a model, and nothing more: the trainer knows no
 * architecture, tokenizer or PEFT method.
 */
export interface TrainingTask<Example> {
  /** The trainable variables only, keyed by parameter name (checkpoint and weight-decay names). */
  variables: Map<string, tf.Variable>
  trainExamples: readonly Example[]
  /** Size of an example (e.g. its token count); when given, batches group similar lengths. */
  exampleLength?: (example: Example) => number
  /** Mean loss over a batch, built from `variables` so that gradients reach them. */
  loss(batch: Example[], context: LossContext): tf.Scalar
  evaluate?(split: 'validation'): Promise<EvaluationMetrics>
}

export interface StepMetrics {
  /** Optimizer steps completed, this one included (1 after the first update). */
  step: number
  /** 0-based epoch. */
  epoch: number
  loss: number
  learningRate: number
  /** Global gradient norm before clipping. */
  gradNorm: number
  elapsedMs: number
}

export type EpochMetrics = EpochRecord

export interface TrainOptions {
  epochs: number
  batchSize: number
  learningRate: number
  /** Decoupled AdamW weight decay, not applied to biases and norm weights. Default 0 (HF). */
  weightDecay?: number
  /** Warmup as a fraction of all steps, rounded up (HF `warmup_ratio`); `warmupSteps` wins when both are set. */
  warmupRatio?: number
  warmupSteps?: number
  /** Default 'linear' (HF). 'constant' keeps the base rate after warmup. */
  scheduler?: SchedulerName
  /** Global-norm clipping threshold; default 1.0 (HF), 0 or Infinity turns clipping off. */
  maxGradNorm?: number
  /** Drives batch order; default 42. */
  seed?: number
  /** Default 'epoch' when the task can evaluate. */
  evalEvery?: 'epoch' | 'never'
  /** Validation metric that picks the best epoch (HF `metric_for_best_model`); lower is better for names containing "loss". Default 'accuracy'. */
  metricForBest?: string
  /** Put the best epoch's weights back at the end (HF `load_best_model_at_end`). Default true. */
  restoreBest?: boolean
  /** Stop after `patience` evaluations in a row that do not improve `metricForBest` by more than `threshold`. */
  earlyStopping?: { patience: number; threshold?: number }
  /** Save a checkpoint every this many steps, besides at the end of every epoch and on cancellation. */
  checkpointEverySteps?: number
  saveCheckpoint?: (state: TrainerState) => void | Promise<void>
  /** The last saved state, if any: training continues from it instead of starting over. */
  loadCheckpoint?: () => TrainerState | null | Promise<TrainerState | null>
  /** Checked before every step; when aborted the trainer saves a checkpoint and returns status 'cancelled'. */
  signal?: AbortSignal
  onStep?: (metrics: StepMetrics) => void | Promise<void>
  onEpoch?: (metrics: EpochMetrics) => void | Promise<void>
  adam?: Omit<AdamWOptions, 'weightDecay'>
}

export interface TrainResult {
  status: 'completed' | 'early-stopped' | 'cancelled'
  steps: number
  epochsCompleted: number
  history: EpochRecord[]
  best: { metric: string; value: number; epoch: number } | null
  /** Wall time across all sessions of this run (resumes included). */
  elapsedMs: number
  /** Peaks during this session. */
  peakMemory: ResourcePeaks
}

/**
 * Trains `task.variables` with AdamW, a warmup schedule and gradient clipping,
 * evaluating each epoch, keeping the best weights, stopping early, checkpointing and
 * resuming. For a given seed and backend, a run that is interrupted and resumed from
 * its last checkpoint ends with the same weights as one that never stopped.
 */
export async function train<Example>(task: TrainingTask<Example>, options: TrainOptions): Promise<TrainResult> {
  const seed = options.seed ?? 42
  const maxGradNorm = options.maxGradNorm ?? 1
  const scheduler = options.scheduler ?? 'linear'
  const metricForBest = options.metricForBest ?? 'accuracy'
  const evaluate = (options.evalEvery ?? 'epoch') === 'epoch' ? task.evaluate?.bind(task) : undefined
  if (!Number.isInteger(options.epochs) || options.epochs < 0) throw new Error(`train: epochs must be a whole number, got ${options.epochs}`)
  if (task.trainExamples.length === 0) throw new Error('train: the task has no training examples')

  const variables = task.variables
  const variableList = [...variables.values()]
  const parameterNameOf = new Map(variableList.map((variable, index) => [variable.name, [...variables.keys()][index]!]))
  const totalSteps = batchesPerEpoch(task.trainExamples.length, options.batchSize) * options.epochs
  const schedule = { warmupSteps: resolveWarmupSteps(totalSteps, options), totalSteps }
  const optimizer = new AdamW(variables, { ...options.adam, weightDecay: options.weightDecay ?? 0 })
  const monitor = new ResourceMonitor()

  const loaded = await options.loadCheckpoint?.()
  if (loaded) {
    if (loaded.seed !== seed) throw new Error(`train: the checkpoint was made with seed ${loaded.seed}, this run uses ${seed}`)
    restoreVariables(variables, loaded.variables)
    optimizer.setState(loaded.optimizer)
  }
  // Copies, so that later pushes never alter a state the caller holds.
  const state: TrainerState = loaded ? { ...loaded, history: [...loaded.history] } : freshState(seed)
  const sessionStart = performance.now()
  const elapsedMs = (): number => state.elapsedMs + (performance.now() - sessionStart)
  const saveCheckpoint = async (): Promise<void> => {
    await options.saveCheckpoint?.({
      ...state,
      history: [...state.history],
      variables: snapshotVariables(variables),
      optimizer: optimizer.getState(),
      elapsedMs: elapsedMs(),
    })
  }

  const runStep = (batch: Example[]): Omit<StepMetrics, 'elapsedMs' | 'epoch'> => {
    const learningRate = options.learningRate * learningRateMultiplier(scheduler, state.step, schedule)
    const { value, grads } = tf.variableGrads(() => task.loss(batch, { training: true, step: state.step }), variableList)
    monitor.sample()
    let gradients = new Map<string, tf.Tensor>()
    for (const [variableName, gradient] of Object.entries(grads)) {
      if (gradient) gradients.set(parameterNameOf.get(variableName)!, gradient)
    }
    let gradNorm: number
    if (maxGradNorm > 0 && Number.isFinite(maxGradNorm)) {
      ;({ gradients, norm: gradNorm } = clipGradientsByGlobalNorm(gradients, maxGradNorm))
    } else {
      gradNorm = globalNorm(gradients)
    }
    optimizer.step(gradients, learningRate)
    const loss = value.dataSync()[0]!
    tf.dispose([value, ...gradients.values()])
    return { step: state.step + 1, loss, learningRate, gradNorm }
  }

  const finish = (status: TrainResult['status']): TrainResult => ({
    status,
    steps: state.step,
    epochsCompleted: state.epoch,
    history: state.history,
    best: state.best && { metric: state.best.metric, value: state.best.value, epoch: state.best.epoch },
    elapsedMs: elapsedMs(),
    peakMemory: monitor.current(),
  })

  try {
    while (state.epoch < options.epochs) {
      if (options.earlyStopping && state.evaluationsWithoutImprovement >= options.earlyStopping.patience) {
        return finishWithBest('early-stopped')
      }
      const batches = makeBatches(task.trainExamples, options.batchSize, seed, state.epoch, task.exampleLength)
      while (state.batchIndex < batches.length) {
        if (options.signal?.aborted) {
          await saveCheckpoint()
          return finish('cancelled')
        }
        const metrics = runStep(batches[state.batchIndex]!)
        state.step += 1
        state.batchIndex += 1
        state.epochLossSum += metrics.loss
        state.epochLossCount += 1
        await options.onStep?.({ ...metrics, epoch: state.epoch, elapsedMs: elapsedMs() })
        const epochEndSavesAnyway = state.batchIndex === batches.length
        if (options.checkpointEverySteps && state.step % options.checkpointEverySteps === 0 && !epochEndSavesAnyway) {
          await saveCheckpoint()
        }
      }

      const validation = evaluate ? await evaluate('validation') : null
      if (validation) recordEvaluation(validation)
      const record: EpochRecord = {
        epoch: state.epoch,
        trainLoss: state.epochLossSum / Math.max(1, state.epochLossCount),
        validation,
        elapsedMs: elapsedMs(),
      }
      state.history.push(record)
      state.epoch += 1
      state.batchIndex = 0
      state.epochLossSum = 0
      state.epochLossCount = 0
      await saveCheckpoint()
      await options.onEpoch?.(record)
    }
    return finishWithBest('completed')
  } finally {
    optimizer.dispose()
    monitor.stop()
  }

  function recordEvaluation(validation: EvaluationMetrics): void {
    const value = validation[metricForBest]
    if (value === undefined) {
      throw new Error(`train: metricForBest is "${metricForBest}" but evaluate() returned only ${Object.keys(validation).join(', ')}`)
    }
    const previous = state.best?.value
    const lowerIsBetter = metricForBest.includes('loss')
    const improvement = previous === undefined ? Infinity : lowerIsBetter ? previous - value : value - previous
    if (improvement > 0) {
      state.best = { metric: metricForBest, value, epoch: state.epoch, variables: snapshotVariables(variables) }
    }
    const threshold = options.earlyStopping?.threshold ?? 0
    state.evaluationsWithoutImprovement = improvement > threshold ? 0 : state.evaluationsWithoutImprovement + 1
  }

  function finishWithBest(status: TrainResult['status']): TrainResult {
    if ((options.restoreBest ?? true) && state.best) restoreVariables(variables, state.best.variables)
    return finish(status)
  }
}

function freshState(seed: number): TrainerState {
  return {
    step: 0,
    epoch: 0,
    batchIndex: 0,
    seed,
    epochLossSum: 0,
    epochLossCount: 0,
    variables: new Map(),
    optimizer: { slots: new Map() },
    best: null,
    evaluationsWithoutImprovement: 0,
    history: [],
    elapsedMs: 0,
  }
}
