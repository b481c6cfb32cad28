/**
 * The sum of squares of every element of a list of tensors (the squared global norm
 * that gradient clipping measures) as one op: a single kernel over all of them where
 * the backend has it, else one Square and one Sum per tensor and an AddN.
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, runKernel } from './fused-kernel'

/** Inputs: the tensors, as a list (like AddN); output a float32 scalar. */
export const SUM_OF_SQUARES_KERNEL = 'BankbenchSumOfSquares'

export function sumOfSquares(tensors: tf.Tensor[]): tf.Scalar {
  if (tensors.length > 0 && tensors.every((tensor) => tensor.dtype === 'float32') && hasKernel(SUM_OF_SQUARES_KERNEL)) {
    return runKernel(SUM_OF_SQUARES_KERNEL, tensors as unknown as tf.NamedTensorMap) as tf.Scalar
  }
  return composedSumOfSquares(tensors)
}

/** The reference, in tfjs ops. */
export function composedSumOfSquares(tensors: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => (tensors.length === 0 ? tf.scalar(0) : (tf.addN(tensors.map((tensor) => tensor.square().sum())) as tf.Scalar)))
}
