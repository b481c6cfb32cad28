import * as tf from '@tensorflow/tfjs'
import { readSafetensors, writeSafetensors, type NamedTensor } from '../io/safetensors'
import { fromTensor, toTensor } from '../io/tensors'
import type { AdamWSlotState, AdamWState } from './optimizer'

/** Validation figures from `task.evaluate`; `accuracy` and `loss` always, anything else the task adds. */
export interface EvaluationMetrics {
  accuracy: number
  loss: number
  [metric: string]: number
}

export interface EpochRecord {
  epoch: number
  trainLoss: number
  validation: EvaluationMetrics | null
  /** Training wall time up to the end of this epoch, across resumes. */
  elapsedMs: number
}

export interface BestCheckpoint {
  metric: string
  value: number
  epoch: number
  variables: Map<string, NamedTensor>
}

/**
 * Everything a retried job needs to continue exactly where the last one stopped.
 * Batches are a pure function of (seed, epoch), so (epoch, batchIndex) is the whole
 * data-order position; dropout or other randomness must derive from `step`.
 */
export interface TrainerState {
  /** Optimizer steps completed. */
  step: number
  /** The epoch in progress, 0-based; equals `epochs` once training is done. */
  epoch: number
  /** The next batch of `epoch` to train on. */
  batchIndex: number
  seed: number
  /** Running sum and count of this epoch's batch losses, so its mean survives a resume. */
  epochLossSum: number
  epochLossCount: number
  variables: Map<string, NamedTensor>
  optimizer: AdamWState
  best: BestCheckpoint | null
  /** Evaluations in a row without improvement, for early stopping. */
  evaluationsWithoutImprovement: number
  history: EpochRecord[]
  elapsedMs: number
}

export function snapshotVariables(variables: Map<string, tf.Variable>): Map<string, NamedTensor> {
  return new Map([...variables].map(([name, variable]) => fromTensor(name, variable)))
}

export function restoreVariables(variables: Map<string, tf.Variable>, saved: Map<string, NamedTensor>): void {
  for (const [name, variable] of variables) {
    const value = saved.get(name)
    if (!value) throw new Error(`checkpoint has no value for trainable variable "${name}"`)
    if (value.shape.join() !== variable.shape.join()) {
      throw new Error(`checkpoint shape [${value.shape}] for "${name}" does not match the variable's [${variable.shape}]`)
    }
    tf.tidy(() => variable.assign(toTensor(value)))
  }
}

const STATE_METADATA_KEY = 'bankbench.trainer_state'

/**
 * One safetensors file per checkpoint: tensors under `variables/`, `best/`,
 * `optimizer.exp_avg/`, `optimizer.exp_avg_sq/` prefixes, the scalar fields as JSON
 * metadata. Ready for an artifact store; `decodeTrainerState` reads it back.
 */
export function encodeTrainerState(state: TrainerState): Uint8Array {
  const tensors = new Map<string, NamedTensor>()
  for (const [name, value] of state.variables) tensors.set(`variables/${name}`, value)
  for (const [name, value] of state.best?.variables ?? []) tensors.set(`best/${name}`, value)
  const optimizerSteps: Record<string, number> = {}
  for (const [name, slot] of state.optimizer.slots) {
    tensors.set(`optimizer.exp_avg/${name}`, slot.firstMoment)
    tensors.set(`optimizer.exp_avg_sq/${name}`, slot.secondMoment)
    optimizerSteps[name] = slot.step
  }
  const { variables: _variables, optimizer: _optimizer, best, ...scalars } = state
  const metadata = {
    ...scalars,
    optimizerSteps,
    best: best && { metric: best.metric, value: best.value, epoch: best.epoch },
  }
  return writeSafetensors(tensors, { [STATE_METADATA_KEY]: JSON.stringify(metadata) })
}

export function decodeTrainerState(file: Uint8Array): TrainerState {
  const { tensors, metadata } = readSafetensors(file)
  const json = metadata[STATE_METADATA_KEY]
  if (json === undefined) throw new Error(`not a trainer checkpoint: safetensors metadata has no "${STATE_METADATA_KEY}"`)
  const saved = JSON.parse(json) as Omit<TrainerState, 'variables' | 'optimizer' | 'best'> & {
    optimizerSteps: Record<string, number>
    best: Omit<BestCheckpoint, 'variables'> | null
  }
  const withPrefix = (prefix: string): Map<string, NamedTensor> => {
    const selected = new Map<string, NamedTensor>()
    for (const [key, value] of tensors) if (key.startsWith(prefix)) selected.set(key.slice(prefix.length), value)
    return selected
  }
  const secondMoments = withPrefix('optimizer.exp_avg_sq/')
  const slots = new Map<string, AdamWSlotState>()
  for (const [name, firstMoment] of withPrefix('optimizer.exp_avg/')) {
    slots.set(name, { step: saved.optimizerSteps[name] ?? 0, firstMoment, secondMoment: secondMoments.get(name)! })
  }
  const { optimizerSteps: _steps, best, ...scalars } = saved
  return {
    ...scalars,
    variables: withPrefix('variables/'),
    optimizer: { slots },
    best: best && { ...best, variables: withPrefix('best/') },
  }
}
