/**
 * `Sum` for the wasm backend through the addon's `sumAxes`, for reductions over one
 * contiguous run of axes (every bias gradient, layer norm's parameter gradients, a
 * whole-tensor sum). The wasm backend transposes the reduced axes to the end first
 * and sums one float at a time: a bias gradient over [1024, 512] took 5 ms there.
 * Other axes, dtypes and empty tensors go to the backend's original kernel.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { NativeKernels } from '@bankbench/native-kernels'

/** A Sum seen as x [outer, reduce, inner] -> out [outer, inner]. */
export interface ContiguousReduction {
  outer: number
  reduce: number
  inner: number
  outShape: number[]
}

/** How to run a Sum over `axis` as one [outer, reduce, inner] reduction, or undefined when the axes are not one contiguous run. */
export function planContiguousReduction(shape: number[], axis: number | number[] | null, keepDims: boolean): ContiguousReduction | undefined {
  const axes = [...new Set(axis === null ? shape.map((_, index) => index) : tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b)
  if (axes.length === 0 || tf.util.sizeFromShape(shape) === 0) return undefined
  const first = axes[0]!
  const last = axes[axes.length - 1]!
  if (last - first + 1 !== axes.length) return undefined
  const size = (from: number, to: number) => tf.util.sizeFromShape(shape.slice(from, to))
  const outShape = keepDims ? shape.map((extent, index) => (axes.includes(index) ? 1 : extent)) : shape.filter((_, index) => !axes.includes(index))
  return { outer: size(0, first), reduce: size(first, last + 1), inner: size(last + 1, shape.length), outShape }
}

export function nativeSumKernel(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (call) => {
    const { x } = call.inputs as tf.SumInputs
    const { axis, keepDims } = call.attrs as unknown as tf.SumAttrs
    if (!x || x.dtype !== 'float32') return original.kernelFunc(call)
    const plan = planContiguousReduction(x.shape, axis, keepDims)
    if (!plan) return original.kernelFunc(call)
    const wasm = call.backend as BackendWasm
    const out = wasm.makeOutput(plan.outShape, 'float32')
    // Heap views are taken after makeOutput: its allocation may grow (and detach) the heap.
    native.sumAxes(wasm.typedArrayFromHeap(x) as Float32Array, plan.outer, plan.reduce, plan.inner, wasm.typedArrayFromHeap(out) as Float32Array)
    return out
  }
  return { ...original, kernelFunc }
}
