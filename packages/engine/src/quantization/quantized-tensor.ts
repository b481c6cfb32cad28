/**
 * A tensor stored as blockwise-quantized codes in tfjs memory, dequantized on demand
 * (bitsandbytes' `Params4bit` + `QuantState`): packed codes, and per-block absmax
 * constants that are either fp32 or, with double quantization, themselves a
 * QuantizedTensor (8-bit, blocks of 256) around their mean.
 */
import * as tf from '@tensorflow/tfjs'
import { quantizeBlocks } from './blockwise'
import { DYNAMIC_8BIT, FOUR_BIT_CODEBOOKS } from './codebooks'
import type { Codebook, FourBitQuantType } from './codebooks'
import { dequantizeBlockwise } from '../backend/ops'
import { packCodes } from './packing'
import type { CodeBits } from './packing'

/** bitsandbytes' block size for 4-bit weights (`quantize_4bit`, blocksize=64). */
export const FOUR_BIT_BLOCK_SIZE = 64
/** bitsandbytes' block size for the double-quantized absmax constants (blocksize=256). */
export const ABSMAX_BLOCK_SIZE = 256

export interface QuantizeOptions {
  codebook: Codebook
  bits: CodeBits
  blockSize: number
  /** Store the absmax constants 8-bit as well (QLoRA's double quantization). */
  doubleQuant: boolean
}

type Absmax =
  | { kind: 'fp32'; values: tf.Tensor1D }
  | { kind: 'double-quantized'; centred: QuantizedTensor; mean: number }

export class QuantizedTensor {
  private constructor(
    readonly shape: number[],
    private readonly options: QuantizeOptions,
    /** int32 words of packed codes (see packing.ts). */
    readonly packedCodes: tf.Tensor1D,
    private readonly absmax: Absmax,
  ) {}

  static quantize(values: ArrayLike<number>, shape: number[], options: QuantizeOptions): QuantizedTensor {
    const size = shape.reduce((product, length) => product * length, 1)
    if (values.length !== size) throw new Error(`quantize: ${values.length} values do not fill shape [${shape}]`)
    const { codes, absmax } = quantizeBlocks(values, options.codebook, options.blockSize)
    const packedCodes = tf.tensor1d(packCodes(codes, options.bits), 'int32')
    if (!options.doubleQuant) return new QuantizedTensor(shape, options, packedCodes, { kind: 'fp32', values: tf.tensor1d(absmax) })
    // bitsandbytes (compress_statistics): centre on the mean, then 8-bit dynamic-map blocks of 256.
    const mean = Math.fround(absmax.reduce((sum, value) => sum + value, 0) / absmax.length)
    const centred = QuantizedTensor.quantize(absmax.map((value) => value - mean), [absmax.length], {
      codebook: DYNAMIC_8BIT, bits: 8, blockSize: ABSMAX_BLOCK_SIZE, doubleQuant: false,
    })
    return new QuantizedTensor(shape, options, packedCodes, { kind: 'double-quantized', centred, mean })
  }

  get size(): number {
    return this.shape.reduce((product, length) => product * length, 1)
  }

  /**
   * fp32 values of the original shape: codebook value × its block's absmax. Run as one
   * custom-gradient op so that, while training, the gradient tape keeps none of the
   * decoding's intermediates (several fp32 copies of the weight): the codes are
   * constants, and only the dequantized weight itself is kept for the backward pass.
   */
  dequantize(): tf.Tensor {
    return this.untapedDecode(this.packedCodes)
  }

  private readonly untapedDecode = tf.customGrad((packedCodes) => ({
    value: this.decode(),
    // Never called: nothing that trains lies upstream of the codes.
    gradFunc: () => tf.zerosLike(packedCodes as tf.Tensor),
  })) as (packedCodes: tf.Tensor) => tf.Tensor

  /** One dequantize op (a single native kernel where the backend has it): the 8-bit absmax constants decode through it too. */
  private decode(): tf.Tensor {
    return tf.tidy(() => {
      const { blockSize, bits, codebook } = this.options
      // The code book is 16 or 256 numbers: uploading it per call keeps no tensor alive between calls.
      const values = dequantizeBlockwise(this.packedCodes, this.dequantizeAbsmax(), tf.tensor1d(codebook.values as number[]), { bits, blockSize, size: this.size })
      return values.reshape(this.shape)
    })
  }

  /** The per-block absmax constants as the forward pass sees them (after double dequantization). */
  dequantizeAbsmax(): tf.Tensor1D {
    if (this.absmax.kind === 'fp32') return this.absmax.values.clone()
    const { centred, mean } = this.absmax
    return tf.tidy(() => centred.dequantize().add(mean) as tf.Tensor1D)
  }

  /** Bytes this tensor keeps in memory: packed codes, absmax constants (and their own constants). */
  get storageBytes(): number {
    const codes = this.packedCodes.size * 4
    if (this.absmax.kind === 'fp32') return codes + this.absmax.values.size * 4
    return codes + this.absmax.centred.storageBytes + 4 // + the fp32 mean
  }

  dispose(): void {
    this.packedCodes.dispose()
    if (this.absmax.kind === 'fp32') this.absmax.values.dispose()
    else this.absmax.centred.dispose()
  }
}

/**
 * A weight in bitsandbytes 4-bit (NF4 or FP4, blocks of 64), with or without double
 * quantization of its absmax constants. Reads the weight once; the caller may then
 * dispose the fp32 original.
 */
export function quantize4bit(weight: tf.Tensor, quantType: FourBitQuantType, doubleQuant: boolean): QuantizedTensor {
  return QuantizedTensor.quantize(weight.dataSync(), weight.shape, {
    codebook: FOUR_BIT_CODEBOOKS[quantType], bits: 4, blockSize: FOUR_BIT_BLOCK_SIZE, doubleQuant,
  })
}
