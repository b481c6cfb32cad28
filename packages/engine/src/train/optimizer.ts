import * as tf from '@tensorflow/tfjs'
import { adamwUpdate } from '../backend/ops'
import type { NamedTensor } from '../io/safetensors'
import { fromTensor, toTensor } from '../io/tensors'

export interface AdamWOptions {
  beta1?: number
  beta2?: number
  epsilon?: number
  /** Decoupled weight decay (HF TrainingArguments' default is 0). */
  weightDecay?: number
  /** Names of parameters that get no weight decay; defaults to biases and norm weights, as the HF Trainer does. */
  isDecayExempt?: (name: string) => boolean
}

/** Per-parameter optimizer memory: torch keeps `step`, `exp_avg`, `exp_avg_sq` per parameter too. */
export interface AdamWSlotState {
  step: number
  firstMoment: NamedTensor
  secondMoment: NamedTensor
}

export interface AdamWState {
  slots: Map<string, AdamWSlotState>
}

/**
 * HF's Trainer exempts every bias and every LayerNorm / RMSNorm weight from decay.
 * Matches BERT's `*.LayerNorm.weight`, Llama's `*_layernorm.weight` and `model.norm.weight`.
 */
export function isBiasOrNormParameter(name: string): boolean {
  return /(^|\.)bias$/.test(name) || /layernorm|layer_norm|(^|\.)norm\./i.test(name)
}

interface Slot {
  step: number
  firstMoment: tf.Variable
  secondMoment: tf.Variable
}

/**
 * AdamW with the exact update order of `torch.optim.AdamW` (single-tensor path):
 *
 *   p ← p·(1 − lr·wd)                     decoupled decay, before the Adam step
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * ε is added outside the square root, after bias correction, as torch does.
 * The learning rate is passed to every `step` so that a schedule stays outside.
 */
export class AdamW {
  private readonly beta1: number
  private readonly beta2: number
  private readonly epsilon: number
  private readonly weightDecay: number
  private readonly isDecayExempt: (name: string) => boolean
  private readonly slots = new Map<string, Slot>()

  constructor(private readonly variables: Map<string, tf.Variable>, options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9
    this.beta2 = options.beta2 ?? 0.999
    this.epsilon = options.epsilon ?? 1e-8
    this.weightDecay = options.weightDecay ?? 0
    this.isDecayExempt = options.isDecayExempt ?? isBiasOrNormParameter
  }

  /** Applies one update. A parameter without a gradient is left alone, its step count included (as in torch). */
  step(gradients: Map<string, tf.Tensor>, learningRate: number): void {
    for (const [name, gradient] of gradients) {
      const parameter = this.variables.get(name)
      if (!parameter) throw new Error(`AdamW: gradient for "${name}", which is not one of the optimizer's parameters`)
      const slot = this.slotFor(name, parameter)
      slot.step += 1
      const decay = this.isDecayExempt(name) ? 0 : this.weightDecay
      const stepSize = learningRate / (1 - this.beta1 ** slot.step)
      const secondMomentCorrection = Math.sqrt(1 - this.beta2 ** slot.step)
      tf.tidy(() => {
        // One fused kernel where the backend has it (native wasm), else composed tfjs ops; same float32 arithmetic.
        const updated = adamwUpdate({ parameter, firstMoment: slot.firstMoment, secondMoment: slot.secondMoment }, gradient, {
          decayFactor: decay > 0 ? 1 - learningRate * decay : 1,
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.epsilon,
          secondMomentCorrection,
          stepSize,
        })
        slot.firstMoment.assign(updated.firstMoment)
        slot.secondMoment.assign(updated.secondMoment)
        parameter.assign(updated.parameter)
      })
    }
  }

  getState(): AdamWState {
    const slots = new Map<string, AdamWSlotState>()
    for (const [name, slot] of this.slots) {
      slots.set(name, {
        step: slot.step,
        firstMoment: fromTensor(name, slot.firstMoment)[1],
        secondMoment: fromTensor(name, slot.secondMoment)[1],
      })
    }
    return { slots }
  }

  setState(state: AdamWState): void {
    this.disposeSlots()
    for (const [name, saved] of state.slots) {
      const parameter = this.variables.get(name)
      if (!parameter) throw new Error(`AdamW: saved state for "${name}", which is not one of the optimizer's parameters`)
      this.slots.set(name, {
        step: saved.step,
        firstMoment: momentVariable(() => toTensor(saved.firstMoment)),
        secondMoment: momentVariable(() => toTensor(saved.secondMoment)),
      })
    }
  }

  dispose(): void {
    this.disposeSlots()
  }

  private slotFor(name: string, parameter: tf.Variable): Slot {
    let slot = this.slots.get(name)
    if (!slot) {
      slot = {
        step: 0,
        firstMoment: momentVariable(() => tf.zerosLike(parameter)),
        secondMoment: momentVariable(() => tf.zerosLike(parameter)),
      }
      this.slots.set(name, slot)
    }
    return slot
  }

  private disposeSlots(): void {
    for (const slot of this.slots.values()) {
      slot.firstMoment.dispose()
      slot.secondMoment.dispose()
    }
    this.slots.clear()
  }
}

/** A non-trainable variable; the tidy frees the initial tensor, whose buffer the variable shares. */
function momentVariable(initialValue: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(initialValue(), false))
}
