/**
 * How an engine-level fused op decides where to run: through its kernel where the
 * active backend has one registered (the wasm backend with the native kernels on),
 * else through the composed tfjs ops, which stay the reference and the GPU path.
 */
import * as tf from '@tensorflow/tfjs'

/** Whether the active backend has `kernelName` registered right now. */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined
}

/** Runs a registered kernel; tfjs records it on the gradient tape when a gradient is registered for it. */
export function runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(kernelName, inputs, attrs)
}

/** Registers a gradient once per process: tfjs warns when one is registered again. */
export function registerGradientOnce(config: tf.GradConfig): void {
  if (!tf.getGradient(config.kernelName)) tf.registerGradient(config)
}
