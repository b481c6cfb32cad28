/**
 * Blockwise dequantization of packed codes (QLoRA's 4-bit weights and their
 * double-quantized 8-bit absmax constants, quantization/) as one op: a single kernel
 * where the backend has one, else the composed tfjs ops below (unpacking the int32
 * words with wasm-safe int ops, a gather of the code book, a multiply by each block's
 * absmax). Both give codebook[code] × absmax in float32: one multiply, bit for bit equal.
 */
import * as tf from '@tensorflow/tfjs'
import { unpackCodes, type CodeBits } from '../../quantization/packing'
import { hasKernel, runKernel } from './fused-kernel'

/** Inputs packedCodes (int32 words), absmax (float32 per block), codebook (float32, 2^bits values); attrs bits, blockSize, size; output float32 [size]. */
export const DEQUANTIZE_BLOCKWISE_KERNEL = 'BankbenchDequantizeBlockwise'

export interface BlockwiseLayout {
  /** Bits per code: 4 (8 codes per word) or 8 (4 per word), packed as quantization/packing.ts does. */
  bits: CodeBits
  /** Consecutive elements sharing one absmax constant. */
  blockSize: number
  /** Elements to decode: the first `size` codes (the last block may be short, the words' last slots unused). */
  size: number
}

/** float32 [size]: codebook[code i] × absmax[floor(i / blockSize)]. No gradient: the codes are constants. */
export function dequantizeBlockwise(packedCodes: tf.Tensor1D, absmax: tf.Tensor1D, codebook: tf.Tensor1D, layout: BlockwiseLayout): tf.Tensor1D {
  if (packedCodes.dtype === 'int32' && absmax.dtype === 'float32' && codebook.dtype === 'float32' && hasKernel(DEQUANTIZE_BLOCKWISE_KERNEL)) {
    const { bits, blockSize, size } = layout
    return runKernel(DEQUANTIZE_BLOCKWISE_KERNEL, { packedCodes, absmax, codebook }, { bits, blockSize, size }) as tf.Tensor1D
  }
  return composedDequantizeBlockwise(packedCodes, absmax, codebook, layout)
}

/** The reference, in tfjs ops (every backend has them). */
export function composedDequantizeBlockwise(packedCodes: tf.Tensor1D, absmax: tf.Tensor1D, codebook: tf.Tensor1D, { bits, blockSize, size }: BlockwiseLayout): tf.Tensor1D {
  return tf.tidy(() => {
    const blocks = Math.ceil(size / blockSize)
    const codes = firstElements(unpackCodes(packedCodes, bits), blocks * blockSize)
    const values = tf.gather(codebook, codes).reshape([blocks, blockSize])
    const scaled = values.mul(absmax.reshape([blocks, 1])).reshape([-1]) as tf.Tensor1D
    return firstElements(scaled, size)
  })
}

/** The first `count` elements, without a copy when there is nothing to cut. */
function firstElements(values: tf.Tensor1D, count: number): tf.Tensor1D {
  return values.size === count ? values : values.slice(0, count)
}
