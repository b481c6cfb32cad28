/**
 * Blockwise absmax quantization (bitsandbytes `quantize_blockwise` / `quantize_4bit`):
 * the values are cut into blocks of `blockSize` consecutive elements (row-major, the
 * last block possibly short); each block stores its absolute maximum in fp32 and each
 * value the code of value / absmax. One outlier then costs precision in its own block
 * only. Runs once, in plain JS, when a model is quantized.
 */
import type { Codebook } from './codebooks'

export interface QuantizedBlocks {
  /** One code per element, padded to a whole number of blocks with the code of 0. */
  codes: Uint8Array
  /** Per block: max |value|. */
  absmax: Float32Array
}

export function quantizeBlocks(values: ArrayLike<number>, codebook: Codebook, blockSize: number): QuantizedBlocks {
  const blocks = Math.ceil(values.length / blockSize)
  const codes = new Uint8Array(blocks * blockSize).fill(codebook.encode(0))
  const absmax = new Float32Array(blocks)
  for (let block = 0; block < blocks; block++) {
    const start = block * blockSize
    const end = Math.min(start + blockSize, values.length)
    let max = 0
    for (let i = start; i < end; i++) max = Math.max(max, Math.abs(values[i]!))
    absmax[block] = max
    if (max === 0) continue // all zeros: the padding code already is 0
    // bitsandbytes multiplies by the fp32 reciprocal of the absmax; so do we, in fp32.
    const reciprocal = Math.fround(1 / max)
    for (let i = start; i < end; i++) codes[i] = codebook.encode(Math.fround(values[i]! * reciprocal))
  }
  return { codes, absmax }
}
