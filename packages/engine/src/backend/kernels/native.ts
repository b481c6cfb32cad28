/**
 * Swaps in the kernels of `@bankbench/native-kernels` (OpenBLAS products, fused
 * transformer kernels) where the addon is built, and leaves plain tfjs in place
 * where it is not. The backend's original kernels are kept, so the two can be
 * switched at run time: the benches time both in one process, and the tests compare
 * one against the other.
 */
import * as tf from '@tensorflow/tfjs'
import { loadNativeKernels, type NativeKernels } from '@bankbench/native-kernels'
import { setting, type SettingName } from '@bankbench/settings'
import { ADAMW_KERNEL, DEQUANTIZE_BLOCKWISE_KERNEL, DROPOUT_MULTIPLIERS_KERNEL, GELU_GRAD_KERNEL, GELU_KERNEL, LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, LINEAR_KERNEL, MASKED_SOFTMAX_GRAD_KERNEL, MASKED_SOFTMAX_KERNEL, SUM_OF_SQUARES_KERNEL } from '../ops'
import { nativeBatchMatMulKernel } from './native-batch-mat-mul'
import { adamwKernel, dequantizeBlockwiseKernel, dropoutMultipliersKernel, geluGradKernel, geluKernel, layerNormGradKernel, layerNormKernel, linearKernel, maskedSoftmaxGradKernel, maskedSoftmaxKernel, sumOfSquaresKernel } from './native-fused'
import { nativeBinaryKernel, nativeSliceKernel, nativeSplitVKernel, nativeTransposeKernel } from './native-elementwise'
import { nativeGatherKernel } from './native-gather'
import { nativeSumKernel } from './native-reductions'

/** `BANKBENCH_NATIVE_KERNELS=0` keeps the backends on plain tfjs even where the addon is built. */
export const NATIVE_KERNELS_ENV_VARIABLE = 'BANKBENCH_NATIVE_KERNELS' satisfies SettingName

interface KernelPair {
  /** The backend's own kernel, restored when the native ones are switched off; none for a kernel tfjs does not have. */
  original?: tf.KernelConfig
  native: tf.KernelConfig
}

type NativeKernelFactory =
  /** Replaces one of the backend's kernels, which it keeps as its fallback. */
  | { kernelName: string; create(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig }
  /** A kernel tfjs does not have, behind one of the engine's fused ops (backend/ops). */
  | { kernelName: string; fused: true; create(native: NativeKernels): tf.KernelConfig }

/** Per backend, the kernels that have a native version. */
const NATIVE_KERNELS: Record<string, NativeKernelFactory[]> = {
  wasm: [
    { kernelName: tf.BatchMatMul, create: nativeBatchMatMulKernel },
    { kernelName: tf.Sum, create: nativeSumKernel },
    { kernelName: tf.GatherV2, create: nativeGatherKernel },
    { kernelName: tf.Add, create: nativeBinaryKernel },
    { kernelName: tf.Sub, create: nativeBinaryKernel },
    { kernelName: tf.Multiply, create: nativeBinaryKernel },
    { kernelName: tf.RealDiv, create: nativeBinaryKernel },
    { kernelName: tf.Transpose, create: nativeTransposeKernel },
    { kernelName: tf.Slice, create: nativeSliceKernel },
    { kernelName: tf.SplitV, create: nativeSplitVKernel },
    { kernelName: LINEAR_KERNEL, fused: true, create: linearKernel },
    { kernelName: GELU_KERNEL, fused: true, create: geluKernel },
    { kernelName: GELU_GRAD_KERNEL, fused: true, create: geluGradKernel },
    { kernelName: LAYER_NORM_KERNEL, fused: true, create: layerNormKernel },
    { kernelName: LAYER_NORM_GRAD_KERNEL, fused: true, create: layerNormGradKernel },
    { kernelName: MASKED_SOFTMAX_KERNEL, fused: true, create: maskedSoftmaxKernel },
    { kernelName: MASKED_SOFTMAX_GRAD_KERNEL, fused: true, create: maskedSoftmaxGradKernel },
    { kernelName: ADAMW_KERNEL, fused: true, create: adamwKernel },
    { kernelName: DROPOUT_MULTIPLIERS_KERNEL, fused: true, create: dropoutMultipliersKernel },
    { kernelName: SUM_OF_SQUARES_KERNEL, fused: true, create: sumOfSquaresKernel },
    { kernelName: DEQUANTIZE_BLOCKWISE_KERNEL, fused: true, create: dequantizeBlockwiseKernel },
  ],
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
  if (!setting(NATIVE_KERNELS_ENV_VARIABLE)) {
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
    if (tf.getKernel(native.kernelName, backendName)) tf.unregisterKernel(native.kernelName, backendName)
    const active = enabled ? native : original
    if (active) tf.registerKernel(active)
  }
  return enabled ? kernels.map(({ native }) => native.kernelName) : []
}

/** The threads the native kernels use (the addon's pool), or undefined when the addon is not loaded. */
export function nativeKernelThreads(): number | undefined {
  const load = loadNativeKernels()
  return load.loaded ? load.kernels.getThreads() : undefined
}

/** The native matrix product's description (OpenBLAS's build string or the built-in product's), or undefined when the addon is not loaded. */
export function nativeMatrixProduct(): string | undefined {
  const load = loadNativeKernels()
  return load.loaded ? load.kernels.blasConfig() : undefined
}

function nativePairs(backendName: string): KernelPair[] {
  const existing = pairs.get(backendName)
  if (existing) return existing
  const load = loadNativeKernels()
  if (!load.loaded) {
    announceFallback(load.reason)
    return []
  }
  const created = (NATIVE_KERNELS[backendName] ?? []).map((factory): KernelPair => {
    if ('fused' in factory) return { native: factory.create(load.kernels) }
    const original = tf.getKernel(factory.kernelName, backendName)
    if (!original) throw new Error(`The ${backendName} backend has no ${factory.kernelName} kernel to replace: is its package imported?`)
    return { original, native: factory.create(load.kernels, original) }
  })
  pairs.set(backendName, created)
  return created
}

function announceFallback(reason: string): void {
  if (fallbackAnnounced) return
  fallbackAnnounced = true
  console.warn(`bankbench engine: native kernels are off, tensor products run on plain tfjs (${reason})`)
}
