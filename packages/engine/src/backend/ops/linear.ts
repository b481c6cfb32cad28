/**
 * torch.nn.Linear over the last axis, y = x Wᵀ + b with W stored [out, in], as one
 * op: a single kernel (the bias written first, the product added onto it) where the
 * backend has it, else tfjs's matMul and add. The gradient is the same three
 * products and sum either way; the fused form saves the forward Add over the whole
 * output and the backward pass's reshapes of it.
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, registerGradientOnce, runKernel } from './fused-kernel'

/** Inputs x [rows, in], weight [out, in], bias [out]; output [rows, out]. */
export const LINEAR_KERNEL = 'BankbenchLinear'

/** x [rows, in] times weight [out, in] transposed, plus bias [out] when given: [rows, out]. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor): tf.Tensor2D {
  const fused = bias !== undefined && [x, weight, bias].every((tensor) => tensor.dtype === 'float32') &&
    bias.rank === 1 && bias.shape[0] === weight.shape[0] && x.shape[1] === weight.shape[1]
  if (fused && hasKernel(LINEAR_KERNEL)) return runKernel(LINEAR_KERNEL, { x, weight, bias }) as tf.Tensor2D
  return composedLinear(x, weight, bias)
}

/** The reference, in tfjs ops. */
export function composedLinear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor): tf.Tensor2D {
  const product: tf.Tensor2D = tf.matMul(x, weight, false, true)
  return bias ? (product.add(bias) as tf.Tensor2D) : product
}

registerGradientOnce({
  kernelName: LINEAR_KERNEL,
  inputsToSave: ['x', 'weight'],
  // tfjs calls only the functions of inputs that lead to a trained variable: a frozen weight costs no product.
  gradFunc: (dy, saved) => {
    const [x, weight] = saved as [tf.Tensor2D, tf.Tensor2D]
    const gradient = dy as tf.Tensor2D
    return {
      x: () => tf.matMul(gradient, weight),
      weight: () => tf.matMul(gradient, x, true, false),
      bias: () => tf.sum(gradient, 0),
    }
  },
})
