/**
 * `GatherV2` for the wasm backend through the addon's `gatherRows`: rows of a
 * float32 table (an embedding lookup), one memcpy each. The wasm backend's own
 * gather took 4 ms to look up 1,024 rows of a two-row token-type table. Other axes,
 * batch dimensions, dtypes and out-of-range indices go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { NativeKernels } from '@bankbench/native-kernels'

export function nativeGatherKernel(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (call) => {
    const { x, indices } = call.inputs as tf.GatherV2Inputs
    const { axis, batchDims } = call.attrs as unknown as tf.GatherV2Attrs
    if (!x || !indices || x.dtype !== 'float32' || indices.dtype !== 'int32' || (batchDims ?? 0) !== 0) return original.kernelFunc(call)
    if (x.shape.length === 0 || tf.util.parseAxisParam(axis, x.shape)[0] !== 0 || tf.util.sizeFromShape(x.shape) === 0) return original.kernelFunc(call)
    const wasm = call.backend as BackendWasm
    const rowSize = tf.util.sizeFromShape(x.shape.slice(1))
    const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], 'float32')
    // Heap views are taken after makeOutput: its allocation may grow (and detach) the heap.
    const table = wasm.typedArrayFromHeap(x) as Float32Array
    if (native.gatherRows(table, x.shape[0]!, rowSize, wasm.typedArrayFromHeap(indices) as Int32Array, wasm.typedArrayFromHeap(out) as Float32Array)) return out
    wasm.disposeData(out.dataId)
    return original.kernelFunc(call)
  }
  return { ...original, kernelFunc }
}
