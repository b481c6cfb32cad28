/**
 * Attention's softmax(scores / divisor + bias) over the last axis as one op: a single
 * fused kernel (forward and gradient) where the backend has one, else the composed
 * tfjs ops below (RealDiv, Add, Softmax).
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, registerGradientOnce, runKernel } from './fused-kernel'

export const MASKED_SOFTMAX_KERNEL = 'BankbenchMaskedSoftmax'
/** Inputs dy and y (the forward pass's output), attribute divisor; output the gradient of scores. */
export const MASKED_SOFTMAX_GRAD_KERNEL = 'BankbenchMaskedSoftmaxGrad'

export interface MaskedSoftmaxAttrs {
  divisor: number
}

/**
 * softmax(scores / divisor + bias) over the last axis, for scores [batch, heads, queries, keys]
 * and an additive bias (0 attended, a large negative number masked) that broadcasts to it,
 * such as [batch, 1, 1, keys] (padding) or [batch, 1, queries, keys] (causal). The scores are
 * divided, as `scores.div(Math.sqrt(headSize))` is, so that both paths round alike.
 */
export function maskedSoftmax<T extends tf.Tensor>(scores: T, bias: tf.Tensor, divisor: number): T {
  const fused = scores.dtype === 'float32' && bias.dtype === 'float32' && bias.rank === 4 && scores.rank === 4 &&
    bias.shape[3] === scores.shape[3] && bias.shape.slice(0, 3).every((size, axis) => size === 1 || size === scores.shape[axis])
  if (fused && hasKernel(MASKED_SOFTMAX_KERNEL)) return runKernel(MASKED_SOFTMAX_KERNEL, { scores, bias }, { divisor }) as T
  return composedMaskedSoftmax(scores, bias, divisor)
}

/** The reference, in tfjs ops: attention's own expression before the fused kernel. */
export function composedMaskedSoftmax<T extends tf.Tensor>(scores: T, bias: tf.Tensor, divisor: number): T {
  return tf.softmax(scores.div(divisor).add(bias)) as T
}

/** The gradient of maskedSoftmax's scores given dy, from its output y: y (dy − Σ dy·y) / divisor over the last axis. */
export function maskedSoftmaxGradient(y: tf.Tensor, dy: tf.Tensor, divisor: number): tf.Tensor {
  if (hasKernel(MASKED_SOFTMAX_GRAD_KERNEL)) return runKernel(MASKED_SOFTMAX_GRAD_KERNEL, { dy, y }, { divisor }) as tf.Tensor
  return tf.tidy(() => dy.sub(dy.mul(y).sum(-1, true)).mul(y).div(divisor))
}

/** The axes along which `shape` was broadcast to `target` (same rank). */
function broadcastAxes(shape: number[], target: number[]): number[] {
  return shape.flatMap((size, axis) => (size === 1 && target[axis] !== 1 ? [axis] : []))
}

registerGradientOnce({
  kernelName: MASKED_SOFTMAX_KERNEL,
  inputsToSave: ['bias'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [bias, y] = saved as [tf.Tensor, tf.Tensor]
    const { divisor } = attrs as unknown as MaskedSoftmaxAttrs
    return {
      scores: () => maskedSoftmaxGradient(y, dy as tf.Tensor, divisor),
      // The bias is a constant mask in every model here, so tfjs never asks for this; it is
      // the composed ops' gradient all the same, summed over the axes the bias broadcast along.
      bias: () => {
        const softmaxGradient = (dy as tf.Tensor).sub((dy as tf.Tensor).mul(y).sum(-1, true)).mul(y)
        const axes = broadcastAxes(bias.shape, y.shape)
        return (axes.length > 0 ? softmaxGradient.sum(axes, true) : softmaxGradient).reshape(bias.shape)
      },
    }
  },
})
