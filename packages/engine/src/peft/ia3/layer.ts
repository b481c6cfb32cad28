/**
 * An IA3-adapted linear layer (Liu et al. 2022, "(IA)^3"): a learned vector l rescales
 * the layer elementwise, y = (W x + b) ⊙ l, or for a feed-forward layer its input,
 * y = W (x ⊙ l) + b. W and b stay frozen; l starts at ones. As in PEFT, l is stored
 * [out, 1] (output scaling) or [1, in] (input scaling), so W ⊙ l is the merged weight.
 */
import * as tf from '@tensorflow/tfjs'
import type { ForwardContext, LinearAdapter, LinearFunction } from '../../models'

/** PEFT divides by l + 1e-8 when unmerging, so that a zero in l does not give infinities. */
const UNMERGE_EPSILON = 1e-8

export class Ia3Layer implements LinearAdapter {
  private merged = false

  constructor(
    private readonly baseWeight: tf.Variable,
    private readonly baseBias: tf.Variable | undefined,
    readonly ia3L: tf.Variable,
    readonly isFeedforward: boolean,
  ) {}

  forward(x: tf.Tensor, base: LinearFunction, _context: ForwardContext): tf.Tensor {
    if (this.merged) return base(x)
    const scaling = this.ia3L.reshape([-1])
    return this.isFeedforward ? base(x.mul(scaling)) : base(x).mul(scaling)
  }

  get isMerged(): boolean {
    return this.merged
  }

  /** Folds l into the frozen layer (W ⊙ l, and b ⊙ l when the output is scaled): inference then costs nothing extra. */
  merge(): void {
    if (this.merged) throw new Error('IA3 layer is already merged')
    this.rescale((values, scaling) => values.mul(scaling))
    this.merged = true
  }

  /** Takes l back out (division by l + 1e-8, as PEFT does: exact up to rounding). */
  unmerge(): void {
    if (!this.merged) throw new Error('IA3 layer is not merged')
    this.rescale((values, scaling) => values.div(scaling.add(UNMERGE_EPSILON)))
    this.merged = false
  }

  private rescale(apply: (values: tf.Tensor, scaling: tf.Tensor) => tf.Tensor): void {
    tf.tidy(() => {
      this.baseWeight.assign(apply(this.baseWeight, this.ia3L))
      if (!this.isFeedforward && this.baseBias) this.baseBias.assign(apply(this.baseBias, this.ia3L.reshape(this.baseBias.shape)))
    })
  }
}
