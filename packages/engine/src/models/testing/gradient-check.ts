/** Central finite differences against tf's analytic gradient, for the math-pinning tests. */
import * as tf from '@tensorflow/tfjs'

export interface GradientComparison {
  analytic: number
  numeric: number
}

/**
 * d loss / d variable[flatIndex], analytically (tf.variableGrads) and as
 * (loss(v + eps) - loss(v - eps)) / 2 eps. The loss must be deterministic
 * (eval mode, or training with a fixed dropout seed).
 */
export function compareGradient(loss: () => tf.Scalar, variable: tf.Variable, flatIndex: number, eps = 1e-2): GradientComparison {
  const { grads } = tf.variableGrads(loss, [variable])
  const analytic = (grads[variable.name]!.dataSync() as Float32Array)[flatIndex]!
  tf.dispose(grads)
  const original = variable.dataSync().slice() as Float32Array
  const lossAt = (value: number) => {
    const shifted = original.slice()
    shifted[flatIndex] = value
    tf.tidy(() => variable.assign(tf.tensor(shifted, variable.shape)))
    return tf.tidy(() => loss().dataSync()[0]!)
  }
  const numeric = (lossAt(original[flatIndex]! + eps) - lossAt(original[flatIndex]! - eps)) / (2 * eps)
  tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)))
  return { analytic, numeric }
}
