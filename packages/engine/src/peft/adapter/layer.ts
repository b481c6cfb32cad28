/**
 * A bottleneck adapter on a projection's output (Houlsby et al. 2019):
 * h + up(f(down(h))), with h the frozen projection's output. The up-projection starts
 * at zero, so the adapter starts as the identity.
 */
import * as tf from '@tensorflow/tfjs'
import { dense } from '../../models'
import type { ForwardContext, LinearAdapter, LinearFunction } from '../../models'
import type { NonLinearity } from './config'

export interface AdapterWeights {
  downWeight: tf.Variable
  downBias: tf.Variable
  upWeight: tf.Variable
  upBias: tf.Variable
}

/** AdapterHub's Activation_Function_Class; gelu is the exact (erf) form, as torch's. */
function applyNonLinearity(name: NonLinearity, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'relu': return tf.relu(x)
    case 'gelu': return x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5)
    case 'swish': return x.mul(tf.sigmoid(x))
    case 'tanh': return tf.tanh(x)
  }
}

export class BottleneckAdapter implements LinearAdapter {
  constructor(readonly weights: AdapterWeights, private readonly nonLinearity: NonLinearity, private readonly dropout: number) {}

  forward(x: tf.Tensor, base: LinearFunction, context: ForwardContext): tf.Tensor {
    const { downWeight, downBias, upWeight, upBias } = this.weights
    const hidden = base(x)
    const update = dense(applyNonLinearity(this.nonLinearity, dense(hidden, downWeight, downBias)), upWeight, upBias)
    return hidden.add(context.dropout(update, this.dropout))
  }
}
