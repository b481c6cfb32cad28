/**
 * Swaps in the kernels of `@bankbench/native-kernels` (OpenBLAS) where the addon is
 * built, and leaves plain tfjs in place where it is not. The backend's original
 * kernels are kept, so the two can be switched at run time: the benches time both in
 * one process, and the tests compare one against the other.
 */
import * as tf from '@tensorflow/tfjs'
import { loadNativeKernels, type NativeKernels } from '@bankbench/native-kernels'
import { nativeBatchMatMulKernel } from './native-batch-mat-mul'

/** `BANKBENCH_NATIVE_KERNELS=0` keeps the backends on plain tfjs even where the addon is built. */
export const NATIVE_KERNELS_ENV_VARIABLE = 'BANKBENCH_NATIVE_KERNELS'

interface KernelPair {
  original: tf.KernelConfig
  native: tf.KernelConfig
}

interface NativeKernelFactory {
  kernelName: string
  /** The native config, given the addon and the backend's own config (its fallback). */
  create(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig
}

/** Per backend, the kernels that have a native version. */
const NATIVE_KERNELS: Record<string, NativeKernelFactory[]> = {
  wasm: [{ kernelName: tf.BatchMatMul, create: nativeBatchMatMulKernel }],
}

const pairs = new Map<string, KernelPair[]>()
let fallbackAnnounced = false

/**
 * At backend set-up: makes the native kernels active for `backendName` unless
 * `$BANKBENCH_NATIVE_KERNELS` is 0 or the addon cannot load (said once per process),
 * and returns the names of the kernels that now run natively.
 */
export function registerNativeKernels(backendName: string): string[] {
  if (!NATIVE_KERNELS[backendName]) return []
  if (process.env[NATIVE_KERNELS_ENV_VARIABLE] === '0') {
    announceFallback(`${NATIVE_KERNELS_ENV_VARIABLE}=0`)
    return setNativeKernels(false, backendName)
  }
  return setNativeKernels(true, backendName)
}

/**
 * Switches `backendName`'s kernels between the native ones and the backend's own;
 * returns the names of the kernels that run natively afterwards (none when the addon
 * is not built). The active backend's later operations use the new kernels at once.
 */
export function setNativeKernels(enabled: boolean, backendName = 'wasm'): string[] {
  const kernels = enabled ? nativePairs(backendName) : (pairs.get(backendName) ?? [])
  for (const { original, native } of kernels) {
    tf.unregisterKernel(original.kernelName, backendName)
    tf.registerKernel(enabled ? native : original)
  }
  return enabled ? kernels.map(({ native }) => native.kernelName) : []
}

/** The OpenBLAS threads the native kernels use, or undefined when the addon is not loaded. */
export function nativeKernelThreads(): number | undefined {
  const load = loadNativeKernels()
  return load.loaded ? load.kernels.getThreads() : undefined
}

function nativePairs(backendName: string): KernelPair[] {
  const existing = pairs.get(backendName)
  if (existing) return existing
  const load = loadNativeKernels()
  if (!load.loaded) {
    announceFallback(load.reason)
    return []
  }
  const created = (NATIVE_KERNELS[backendName] ?? []).map(({ kernelName, create }) => {
    const original = tf.getKernel(kernelName, backendName)
    if (!original) throw new Error(`The ${backendName} backend has no ${kernelName} kernel to replace: is its package imported?`)
    return { original, native: create(load.kernels, original) }
  })
  pairs.set(backendName, created)
  return created
}

function announceFallback(reason: string): void {
  if (fallbackAnnounced) return
  fallbackAnnounced = true
  console.warn(`bankbench engine: native kernels are off, tensor products run on plain tfjs (${reason})`)
}
