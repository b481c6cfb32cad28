/**
 * `BatchMatMul` for the wasm backend through OpenBLAS (`@bankbench/native-kernels`).
 *
 * The wasm backend's own product runs at about 0.5 GFLOP/s here and takes ~95% of a
 * forward pass; OpenBLAS reaches 100+ GFLOP/s on the same machine. The addon reads
 * the operands and writes the result straight in the wasm heap (no copies), so the
 * kernel only works out the shapes. Anything it does not cover (non-float32 inputs,
 * batch dimensions that broadcast against each other on both sides, empty tensors,
 * mismatched shapes) goes to the backend's original kernel, which also keeps tfjs's
 * own error messages.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { NativeKernels } from '@bankbench/native-kernels'

/** One call as a batch of row-major products c[i] = op(a[i]) x op(b[i]), op(a) m x k, op(b) k x n. */
export interface BatchedProduct {
  batch: number
  m: number
  n: number
  k: number
  /** Elements between consecutive a[i]; 0 when one matrix is broadcast over the batch. */
  aStride: number
  bStride: number
  outShape: number[]
}

/**
 * How to run a BatchMatMul as a batched sgemm, or undefined when the strided form
 * cannot express it. tfjs broadcasts the batch dimensions (all but the last two) of
 * a and b; with a stride per operand we cover each side being either the full batch
 * or a single matrix (e.g. [b,m,k]x[b,k,n], [b,m,k]x[1,k,n], [m,k]x[b,k,n]), not
 * [2,1,..]x[1,3,..], where both sides are expanded.
 */
export function planBatchedProduct(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): BatchedProduct | undefined {
  if (aShape.length < 2 || bShape.length < 2) return undefined
  const [aRows, aColumns] = aShape.slice(-2) as [number, number]
  const [bRows, bColumns] = bShape.slice(-2) as [number, number]
  const [m, k] = transposeA ? [aColumns, aRows] : [aRows, aColumns]
  const [bInner, n] = transposeB ? [bColumns, bRows] : [bRows, bColumns]
  if (k !== bInner) return undefined
  const aBatchShape = aShape.slice(0, -2)
  const bBatchShape = bShape.slice(0, -2)
  let batchShape: number[]
  try {
    batchShape = tf.broadcast_util.assertAndGetBroadcastShape(aBatchShape, bBatchShape)
  } catch {
    return undefined
  }
  const batch = tf.util.sizeFromShape(batchShape)
  const aBatch = tf.util.sizeFromShape(aBatchShape)
  const bBatch = tf.util.sizeFromShape(bBatchShape)
  const covered = (operandBatch: number) => operandBatch === batch || operandBatch === 1
  if (!covered(aBatch) || !covered(bBatch) || batch * m * n * k === 0) return undefined
  return {
    batch,
    m,
    n,
    k,
    aStride: aBatch === 1 ? 0 : m * k,
    bStride: bBatch === 1 ? 0 : k * n,
    outShape: [...batchShape, m, n],
  }
}

/** The wasm BatchMatMul config with its kernel replaced; setup and dispose stay the original's. */
export function nativeBatchMatMulKernel(native: NativeKernels, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (call) => {
    const { a, b } = call.inputs as tf.BatchMatMulInputs
    const { transposeA, transposeB } = call.attrs as unknown as tf.BatchMatMulAttrs
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(call)
    const plan = planBatchedProduct(a.shape, b.shape, transposeA, transposeB)
    if (!plan) return original.kernelFunc(call)
    const wasm = call.backend as BackendWasm
    const out = wasm.makeOutput(plan.outShape, 'float32')
    // Heap views are taken after makeOutput: its allocation may grow (and detach) the heap.
    native.sgemmBatched(
      transposeA,
      transposeB,
      plan.batch,
      plan.m,
      plan.n,
      plan.k,
      wasm.typedArrayFromHeap(a) as Float32Array,
      plan.aStride,
      wasm.typedArrayFromHeap(b) as Float32Array,
      plan.bStride,
      wasm.typedArrayFromHeap(out) as Float32Array,
    )
    return out
  }
  return { ...original, kernelFunc }
}
