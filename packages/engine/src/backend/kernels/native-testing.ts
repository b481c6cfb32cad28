/** What the native kernel tests share: when to skip, and how to compare native against tfjs. */
import * as tf from '@tensorflow/tfjs'
import { loadNativeKernels } from '@bankbench/native-kernels'
import { setting } from '@bankbench/settings'
import { NATIVE_KERNELS_ENV_VARIABLE, setNativeKernels } from './native'

const load = loadNativeKernels()
const disabled = !setting(NATIVE_KERNELS_ENV_VARIABLE)

/** ' (skipped: why)' when the native kernels cannot run here, else ''. */
export const nativeSkipReason = !load.loaded ? ` (skipped: ${load.reason})` : disabled ? ` (skipped: ${NATIVE_KERNELS_ENV_VARIABLE}=0)` : ''

/** ‖actual − expected‖∞ / ‖expected‖∞ (0 when both are 0): summation order differs between the two kernels. */
export function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const [difference, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(actual, expected))), tf.max(tf.abs(expected))]).map((tensor) => tensor.dataSync()[0]!)
  return difference === 0 ? 0 : difference! / scale!
}

/** `compute` once with the wasm backend's own kernels (and composed ops) and once with the native ones. */
export function withAndWithout<T extends tf.TensorContainer>(compute: () => T): { native: T; original: T } {
  setNativeKernels(false)
  const original = compute()
  setNativeKernels(true)
  return { native: compute(), original }
}
