/**
 * Layer normalisation over the last axis as one op: a single fused kernel (forward
 * and gradient) where the backend has one, else the composed tfjs ops below.
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, registerGradientOnce, runKernel } from './fused-kernel'

export const LAYER_NORM_KERNEL = 'BankbenchLayerNorm'
/** Inputs dy, x and gamma, attribute epsilon; outputs dx, dgamma, dbeta. */
export const LAYER_NORM_GRAD_KERNEL = 'BankbenchLayerNormGrad'

export interface LayerNormAttrs {
  epsilon: number
}

/** (x − mean) / √(variance + ε) · gamma + beta, mean and variance over the last axis of x. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const size = x.shape[x.rank - 1]
  const fused = x.rank >= 1 && [x, gamma, beta].every((tensor) => tensor.dtype === 'float32') &&
    gamma.rank === 1 && beta.rank === 1 && gamma.shape[0] === size && beta.shape[0] === size
  if (fused && hasKernel(LAYER_NORM_KERNEL)) return runKernel(LAYER_NORM_KERNEL, { x, gamma, beta }, { epsilon }) as tf.Tensor
  return composedLayerNorm(x, gamma, beta, epsilon)
}

/** The reference, in tfjs ops (gamma and beta broadcast against x). */
export function composedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true)
  return x.sub(mean).mul(tf.rsqrt(variance.add(epsilon))).mul(gamma).add(beta)
}

/** The gradients of layerNorm(x, gamma, beta) given dy; gamma [size] and beta's are summed over every row. */
export function layerNormGradient(x: tf.Tensor, gamma: tf.Tensor, dy: tf.Tensor, epsilon: number): { dx: tf.Tensor; dgamma: tf.Tensor; dbeta: tf.Tensor } {
  if (hasKernel(LAYER_NORM_GRAD_KERNEL)) {
    const [dx, dgamma, dbeta] = runKernel(LAYER_NORM_GRAD_KERNEL, { dy, x, gamma }, { epsilon }) as tf.Tensor[]
    return { dx: dx!, dgamma: dgamma!, dbeta: dbeta! }
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true)
    const inverseDeviation = tf.rsqrt(variance.add(epsilon))
    const normalized = x.sub(mean).mul(inverseDeviation)
    const scaled = dy.mul(gamma)
    const dx = scaled.sub(scaled.mean(-1, true)).sub(normalized.mul(scaled.mul(normalized).mean(-1, true))).mul(inverseDeviation)
    const rowAxes = Array.from({ length: x.rank - 1 }, (_, axis) => axis)
    return { dx, dgamma: dy.mul(normalized).sum(rowAxes), dbeta: dy.sum(rowAxes) }
  })
}

registerGradientOnce({
  kernelName: LAYER_NORM_KERNEL,
  inputsToSave: ['x', 'gamma'],
  gradFunc: (dy, saved, attrs) => {
    // One kernel gives all three gradients, so they are computed here, in the backward pass's
    // own scope: tfjs runs each input's function in a tidy that would free the other two.
    const { dx, dgamma, dbeta } = layerNormGradient(saved[0]!, saved[1]!, dy as tf.Tensor, (attrs as unknown as LayerNormAttrs).epsilon)
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta }
  },
})
