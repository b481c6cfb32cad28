/**
 * Kernels the engine adds to the tfjs backends. Each entry replaces (or fills in)
 * a backend's kernel; the names are recorded with each run so that timings can be
 * traced to the code that produced them.
 */
import * as tf from '@tensorflow/tfjs'
import { sharedIdentityKernel } from './shared-identity'
import { unsortedSegmentSumKernels } from './unsorted-segment-sum'

const CUSTOM_KERNELS: Record<string, tf.KernelConfig[]> = {
  wasm: [unsortedSegmentSumKernels.wasm, sharedIdentityKernel],
  cpu: [unsortedSegmentSumKernels.cpu],
}

const registered = new Set<tf.KernelConfig>()

/** Registers this engine's kernels for one backend (once) and returns their names. */
export function registerCustomKernels(backendName: string): string[] {
  const kernels = CUSTOM_KERNELS[backendName] ?? []
  for (const kernel of kernels) {
    if (registered.has(kernel)) continue
    // Unregister the backend's own version first: tfjs warns on every plain override.
    if (tf.getKernel(kernel.kernelName, kernel.backendName)) tf.unregisterKernel(kernel.kernelName, kernel.backendName)
    tf.registerKernel(kernel)
    registered.add(kernel)
  }
  return kernels.map((kernel) => kernel.kernelName)
}

export { scatterAddRows } from './unsorted-segment-sum'
