/**
 * `Add`, `Sub`, `Multiply` and `RealDiv` for the wasm backend through the addon's
 * `binaryOp`, for float32 operands under any tfjs broadcast: the residual adds, the
 * attention mask, dropout's multiplies and most of the backward pass's arithmetic.
 * Each element is the same single float32 operation as tfjs's (bit for bit); the
 * addon splits large ones between its threads. Other dtypes, empty tensors and
 * shapes that do not broadcast go to the backend's original kernel. `Transpose`
 * (attention's head split and merge, both ways), `Slice` and `SplitV` (the gradients of
 * concat and tile: prefix tuning's keys and values) go through `stridedCopy` likewise:
 * the wasm backend copies a non-contiguous slice element by element through its index
 * arithmetic, 10-20x slower.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { NativeKernels } from '@bankbench/native-kernels'

/** The addon's operation codes. */
export const BINARY_OPS = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3 } as Record<string, number>

/** The addon's loop nests go up to this rank (after merging dimensions). */
const MAX_RANK = 8

/**
 * The loop nest of a broadcast a op b: [rank, shape..., a's strides..., b's strides...],
 * innermost last, a stride of 0 where the operand broadcasts, with every run of
 * dimensions that both operands walk contiguously (or both broadcast) merged into one.
 * Undefined when the shapes do not broadcast, the output is empty, or more than
 * MAX_RANK dimensions remain.
 */
export function planBroadcast(aShape: number[], bShape: number[]): { outShape: number[]; layout: Int32Array } | undefined {
  let outShape: number[]
  try {
    outShape = tf.broadcast_util.assertAndGetBroadcastShape(aShape, bShape)
  } catch {
    return undefined
  }
  if (tf.util.sizeFromShape(outShape) === 0) return undefined
  const stridesOf = (shape: number[]) => {
    const padded = [...Array<number>(outShape.length - shape.length).fill(1), ...shape]
    const contiguous = padded.map((_, index) => tf.util.sizeFromShape(padded.slice(index + 1)))
    return padded.map((extent, index) => (extent === 1 ? 0 : contiguous[index]!))
  }
  const aStrides = stridesOf(aShape)
  const bStrides = stridesOf(bShape)
  const dims: Array<{ extent: number; a: number; b: number }> = []
  outShape.forEach((extent, index) => {
    if (extent === 1) return
    const dim = { extent, a: aStrides[index]!, b: bStrides[index]! }
    const previous = dims[dims.length - 1]
    if (previous && previous.a === dim.a * extent && previous.b === dim.b * extent) {
      previous.extent *= extent
      previous.a = dim.a
      previous.b = dim.b
    } else {
      dims.push(dim)
    }
  })
  if (dims.length === 0) dims.push({ extent: 1, a: 0, b: 0 })
  if (dims.length > MAX_RANK) return undefined
  const layout = Int32Array.from([dims.length, ...dims.map((dim) => dim.extent), ...dims.map((dim) => dim.a), ...dims.map((dim) => dim.b)])
  return { outShape, layout }
}

/**
 * The loop nest that reads `extents` elements from x, axis by axis with x's `strides`:
 * [rank, extents..., strides...] with extent-1 dimensions dropped and runs x walks
 * contiguously merged; undefined for an empty read or more than MAX_RANK dimensions.
 */
function planStridedRead(extents: number[], strides: number[]): Int32Array | undefined {
  if (tf.util.sizeFromShape(extents) === 0) return undefined
  const dims: Array<{ extent: number; stride: number }> = []
  extents.forEach((extent, axis) => {
    if (extent === 1) return
    const previous = dims[dims.length - 1]
    if (previous && previous.stride === strides[axis]! * extent) {
      previous.extent *= extent
      previous.stride = strides[axis]!
    } else {
      dims.push({ extent, stride: strides[axis]! })
    }
  })
  if (dims.length === 0) dims.push({ extent: 1, stride: 0 })
  if (dims.length > MAX_RANK) return undefined
  return Int32Array.from([dims.length, ...dims.map((dim) => dim.extent), ...dims.map((dim) => dim.stride)])
}

/** Row-major strides of a contiguous tensor of `shape`. */
function stridesOf(shape: number[]): number[] {
  return shape.map((_, index) => tf.util.sizeFromShape(shape.slice(index + 1)))
}

/**
 * The loop nest that reads x [shape] in the order of its transpose by `perm`:
 * [rank, out shape..., x's strides...]; undefined for an empty tensor or more than MAX_RANK dimensions.
 */
export function planTranspose(shape: number[], perm: number[]): { outShape: number[]; layout: Int32Array } | undefined {
  if (perm.length !== shape.length) return undefined
  const strides = stridesOf(shape)
  const outShape = perm.map((axis) => shape[axis]!)
  const layout = planStridedRead(outShape, perm.map((axis) => strides[axis]!))
  return layout && { outShape, layout }
}

/**
 * The read of x [shape]'s block [begin, begin + size): where it starts in x (`offset`,
 * in elements) and the loop nest from there; undefined for an empty block.
 */
export function planSlice(shape: number[], begin: number[], size: number[]): { offset: number; layout: Int32Array } | undefined {
  const strides = stridesOf(shape)
  const layout = planStridedRead(size, strides)
  return layout && { offset: begin.reduce((sum, start, axis) => sum + start * strides[axis]!, 0), layout }
}

/** Copies x's block [begin, begin + size) into a new output, or undefined where the plan does not apply. */
function sliceNatively(native: NativeKernels, wasm: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo | undefined {
  const plan = planSlice(x.shape, begin, size)
  if (!plan) return undefined
  const out = wasm.makeOutput(size, 'float32')
  // Heap views are taken after makeOutput: its allocation may grow (and detach) the heap.
  native.stridedCopy((wasm.typedArrayFromHeap(x) as Float32Array).subarray(plan.offset), wasm.typedArrayFromHeap(out) as Float32Array, plan.layout)
  return out
}

export function nativeSliceKernel(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (call) => {
    const { x } = call.inputs as tf.SliceInputs
    const { begin, size } = call.attrs as unknown as tf.SliceAttrs
    if (!x || x.dtype !== 'float32') return original.kernelFunc(call)
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]]
    return sliceNatively(native, call.backend as BackendWasm, x, start, extent) ?? original.kernelFunc(call)
  }
  return { ...original, kernelFunc }
}

/** SplitV: one native slice per piece (the wasm backend's own SplitV calls its Slice directly, past the registry). */
export function nativeSplitVKernel(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (call) => {
    const { x } = call.inputs as tf.SplitVInputs
    const { numOrSizeSplits, axis } = call.attrs as unknown as tf.SplitVAttrs
    if (!x || x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) === 0) return original.kernelFunc(call)
    const splitAxis = tf.util.parseAxisParam(axis, x.shape)[0]!
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, splitAxis)
    if (sizes.some((piece) => piece === 0)) return original.kernelFunc(call)
    const begin = x.shape.map(() => 0)
    const wasm = call.backend as BackendWasm
    const pieces: tf.TensorInfo[] = []
    for (const piece of sizes) {
      const size = [...x.shape]
      size[splitAxis] = piece
      const out = sliceNatively(native, wasm, x, [...begin], size)
      if (!out) {
        pieces.forEach((made) => wasm.disposeData(made.dataId))
        return original.kernelFunc(call)
      }
      pieces.push(out)
      begin[splitAxis]! += piece
    }
    return pieces
  }
  return { ...original, kernelFunc }
}

export function nativeTransposeKernel(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (call) => {
    const { x } = call.inputs as tf.TransposeInputs
    const { perm } = call.attrs as unknown as tf.TransposeAttrs
    if (!x || x.dtype !== 'float32') return original.kernelFunc(call)
    const plan = planTranspose(x.shape, perm)
    if (!plan) return original.kernelFunc(call)
    const wasm = call.backend as BackendWasm
    const out = wasm.makeOutput(plan.outShape, 'float32')
    // Heap views are taken after makeOutput: its allocation may grow (and detach) the heap.
    native.stridedCopy(wasm.typedArrayFromHeap(x) as Float32Array, wasm.typedArrayFromHeap(out) as Float32Array, plan.layout)
    return out
  }
  return { ...original, kernelFunc }
}

/** One of the wasm binary kernels with its kernel replaced; setup and dispose stay the original's. */
export function nativeBinaryKernel(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig {
  const op = BINARY_OPS[original.kernelName]
  if (op === undefined) throw new Error(`${original.kernelName} has no native elementwise version`)
  const kernelFunc: tf.KernelFunc = (call) => {
    const { a, b } = call.inputs as { a?: tf.TensorInfo; b?: tf.TensorInfo }
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(call)
    const plan = planBroadcast(a.shape, b.shape)
    if (!plan) return original.kernelFunc(call)
    const wasm = call.backend as BackendWasm
    const out = wasm.makeOutput(plan.outShape, 'float32')
    // Heap views are taken after makeOutput: its allocation may grow (and detach) the heap.
    const heap = (tensor: tf.TensorInfo) => wasm.typedArrayFromHeap(tensor) as Float32Array
    native.binaryOp(op, heap(a), heap(b), heap(out), plan.layout)
    return out
  }
  return { ...original, kernelFunc }
}
