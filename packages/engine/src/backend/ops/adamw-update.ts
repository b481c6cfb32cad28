/**
 * One AdamW step for one parameter tensor: a single fused kernel where the backend
 * has one, else the composed tfjs ops below (torch.optim.AdamW's order; see
 * train/optimizer.ts). Both compute the same float32 operations in the same order.
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, runKernel } from './fused-kernel'

/** Inputs parameter, gradient, firstMoment, secondMoment; attributes AdamWScalars; outputs the three new tensors. */
export const ADAMW_KERNEL = 'BankbenchAdamW'

export interface AdamWTensors {
  parameter: tf.Tensor
  firstMoment: tf.Tensor
  secondMoment: tf.Tensor
}

export interface AdamWScalars {
  /** 1 − lr·weightDecay, or 1 where the parameter gets no decay. */
  decayFactor: number
  beta1: number
  beta2: number
  epsilon: number
  /** √(1 − β2^t). */
  secondMomentCorrection: number
  /** lr / (1 − β1^t). */
  stepSize: number
}

/** The updated parameter and moments, as new tensors (the inputs are left as they are). */
export function adamwUpdate({ parameter, firstMoment, secondMoment }: AdamWTensors, gradient: tf.Tensor, scalars: AdamWScalars): AdamWTensors {
  const fused = [parameter, gradient, firstMoment, secondMoment].every((tensor) => tensor.dtype === 'float32' && tf.util.arraysEqual(tensor.shape, parameter.shape))
  if (fused && hasKernel(ADAMW_KERNEL)) {
    const attrs = { ...scalars, oneMinusBeta1: 1 - scalars.beta1, oneMinusBeta2: 1 - scalars.beta2 }
    const [newParameter, newFirstMoment, newSecondMoment] = runKernel(ADAMW_KERNEL, { parameter, gradient, firstMoment, secondMoment }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]
    return { parameter: newParameter!, firstMoment: newFirstMoment!, secondMoment: newSecondMoment! }
  }
  return composedAdamwUpdate({ parameter, firstMoment, secondMoment }, gradient, scalars)
}

/** The reference, in tfjs ops. */
export function composedAdamwUpdate({ parameter, firstMoment, secondMoment }: AdamWTensors, gradient: tf.Tensor, scalars: AdamWScalars): AdamWTensors {
  const { decayFactor, beta1, beta2, epsilon, secondMomentCorrection, stepSize } = scalars
  return tf.tidy(() => {
    const decayed = decayFactor !== 1 ? parameter.mul(decayFactor) : parameter
    const newFirstMoment = firstMoment.mul(beta1).add(gradient.mul(1 - beta1))
    const newSecondMoment = secondMoment.mul(beta2).add(gradient.square().mul(1 - beta2))
    const denominator = newSecondMoment.sqrt().div(secondMomentCorrection).add(epsilon)
    return { parameter: decayed.sub(newFirstMoment.div(denominator).mul(stepSize)), firstMoment: newFirstMoment, secondMoment: newSecondMoment }
  })
}
