/**
 * A LoRA-adapted linear layer: h = W x + b + scaling · B A dropout(x), with the base
 * W frozen and only A [r, in] and B [out, r] trained (Hu et al. 2021).
 */
import * as tf from '@tensorflow/tfjs'
import { dense } from '../../models'
import type { ForwardContext, LinearAdapter, LinearFunction } from '../../models'

export class LoraLayer implements LinearAdapter {
  private merged = false

  constructor(
    private readonly baseWeight: tf.Variable,
    readonly loraA: tf.Variable,
    readonly loraB: tf.Variable,
    readonly scaling: number,
    private readonly dropout: number,
  ) {}

  forward(x: tf.Tensor, base: LinearFunction, context: ForwardContext): tf.Tensor {
    const result = base(x)
    if (this.merged) return result
    const update = dense(dense(context.dropout(x, this.dropout), this.loraA), this.loraB)
    // Scaling by 1 (lora_alpha = r, the default) changes no value: skip its kernel and its gradient's.
    return result.add(this.scaling === 1 ? update : update.mul(this.scaling))
  }

  get isMerged(): boolean {
    return this.merged
  }

  /** Folds the update into the base weight (W += scaling · B A): inference then costs nothing extra. */
  merge(): void {
    if (this.merged) throw new Error('LoRA layer is already merged')
    tf.tidy(() => this.baseWeight.assign(this.baseWeight.add(this.delta())))
    this.merged = true
  }

  /** Takes the update back out of the base weight. */
  unmerge(): void {
    if (!this.merged) throw new Error('LoRA layer is not merged')
    tf.tidy(() => this.baseWeight.assign(this.baseWeight.sub(this.delta())))
    this.merged = false
  }

  private delta(): tf.Tensor {
    return tf.matMul(this.loraB, this.loraA).mul(this.scaling)
  }
}
