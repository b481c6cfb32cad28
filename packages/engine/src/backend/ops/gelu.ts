/**
 * GELU in its exact form, x Φ(x), as one op: a single fused kernel (forward and
 * gradient) where the backend has one, else the composed tfjs ops below.
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, registerGradientOnce, runKernel } from './fused-kernel'

export const GELU_KERNEL = 'BankbenchGelu'
/** Inputs dy and x; output dx. */
export const GELU_GRAD_KERNEL = 'BankbenchGeluGrad'

const SQRT_HALF = Math.SQRT1_2
const INVERSE_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI)

/** 0.5 x (1 + erf(x / √2)): HF's `gelu`, torch's `nn.GELU()`. */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && hasKernel(GELU_KERNEL)) return runKernel(GELU_KERNEL, { x }) as tf.Tensor
  return composedGelu(x)
}

/** The reference, in tfjs ops: also faster than the tanh form on wasm (no Pow). */
export function composedGelu(x: tf.Tensor): tf.Tensor {
  return x.mul(tf.erf(x.mul(SQRT_HALF)).add(1)).mul(0.5)
}

/** dy (Φ(x) + x φ(x)): the gradient of gelu at x, given the gradient dy of its output. */
export function geluGradient(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  if (hasKernel(GELU_GRAD_KERNEL)) return runKernel(GELU_GRAD_KERNEL, { dy, x }) as tf.Tensor
  return tf.tidy(() => {
    const cdf = tf.erf(x.mul(SQRT_HALF)).add(1).mul(0.5)
    const density = tf.exp(x.square().mul(-0.5)).mul(INVERSE_SQRT_TWO_PI)
    return dy.mul(cdf.add(x.mul(density)))
  })
}

registerGradientOnce({
  kernelName: GELU_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => geluGradient(saved[0]!, dy as tf.Tensor) }),
})
