/**
 * `UnsortedSegmentSum` as a scatter-add, for the wasm and cpu backends.
 *
 * It is the gradient of `tf.gather`, so every embedding table needs it to train.
 * The wasm backend has no such kernel at all, and the cpu backend's version loops
 * over every segment (every vocabulary row) for every input row, which makes an
 * embedding gradient cost O(vocabulary x tokens). A scatter-add costs O(tokens).
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

type SegmentSumValues = Float32Array | Int32Array

/** The part of tfjs-backend-cpu's MathBackendCPU this kernel uses (that package is not a direct dependency). */
interface CpuBackendData {
  data: { get(dataId: tf.DataId): { values?: unknown } }
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: SegmentSumValues): tf.TensorInfo
}

/**
 * out[segmentIds[i], :] += x[i, :], with x seen as [segmentIds.size, rowSize].
 * Negative ids are dropped, as TensorFlow does; ids at or past `numSegments` are
 * an error rather than a silent out-of-bounds write.
 */
export function scatterAddRows(
  x: SegmentSumValues,
  segmentIds: Int32Array,
  numSegments: number,
  out: SegmentSumValues,
): void {
  const rowSize = segmentIds.length === 0 ? 0 : x.length / segmentIds.length
  out.fill(0)
  for (let row = 0; row < segmentIds.length; row++) {
    const segment = segmentIds[row]!
    if (segment < 0) continue
    if (segment >= numSegments) throw new Error(`UnsortedSegmentSum: segment id ${segment} is not below numSegments ${numSegments}`)
    const from = row * rowSize
    const to = segment * rowSize
    for (let k = 0; k < rowSize; k++) out[to + k]! += x[from + k]!
  }
}

interface SegmentSumCall {
  x: tf.TensorInfo
  segmentIds: tf.TensorInfo
  numSegments: number
  /** TensorFlow's output shape: the segment dimensions of x replaced by one of numSegments. */
  outputShape: number[]
}

function parseCall(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): SegmentSumCall {
  const { x, segmentIds } = inputs as tf.UnsortedSegmentSumInputs
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs
  if (!x || !segmentIds) throw new Error('UnsortedSegmentSum: needs inputs x and segmentIds')
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: x must be float32 or int32, got ${x.dtype}`)
  if (segmentIds.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: segmentIds must be int32, got ${segmentIds.dtype}`)
  const segmentRank = segmentIds.shape.length
  if (segmentIds.shape.some((size, axis) => x.shape[axis] !== size)) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`)
  }
  return { x, segmentIds, numSegments, outputShape: [numSegments, ...x.shape.slice(segmentRank)] }
}

const wasmKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, segmentIds, numSegments, outputShape } = parseCall(inputs, attrs)
  const wasm = backend as BackendWasm
  const out = wasm.makeOutput(outputShape, x.dtype)
  // Heap views are taken after makeOutput: its allocation may grow (and detach) the heap.
  scatterAddRows(
    wasm.typedArrayFromHeap(x) as SegmentSumValues,
    wasm.typedArrayFromHeap(segmentIds) as Int32Array,
    numSegments,
    wasm.typedArrayFromHeap(out) as SegmentSumValues,
  )
  return out
}

const cpuKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, segmentIds, numSegments, outputShape } = parseCall(inputs, attrs)
  const cpu = backend as unknown as CpuBackendData
  const size = outputShape.reduce((a, b) => a * b, 1)
  const out = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size)
  scatterAddRows(
    cpu.data.get(x.dataId).values as SegmentSumValues,
    cpu.data.get(segmentIds.dataId).values as Int32Array,
    numSegments,
    out,
  )
  return cpu.makeTensorInfo(outputShape, x.dtype, out)
}

export const unsortedSegmentSumKernels: Record<'wasm' | 'cpu', tf.KernelConfig> = {
  wasm: { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: wasmKernel },
  cpu: { kernelName: tf.UnsortedSegmentSum, backendName: 'cpu', kernelFunc: cpuKernel },
}
