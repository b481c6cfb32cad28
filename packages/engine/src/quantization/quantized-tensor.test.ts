import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { nativeSkipReason, withAndWithout } from '../backend/kernels/native-testing'
import { DYNAMIC_8BIT, FOUR_BIT_CODEBOOKS, FP4, NF4 } from './codebooks'
import type { FourBitQuantType } from './codebooks'
import type { QuantizedTensor} from './quantized-tensor';
import { quantize4bit } from './quantized-tensor'

beforeAll(async () => {
  await initBackend()
})

/** A seeded N(0, 1) weight, as the fp32 original and its values. */
function gaussian(shape: [number, number], seed: number): { weight: tf.Tensor; values: Float32Array } {
  const weight = tf.randomNormal(shape, 0, 1, 'float32', seed)
  return { weight, values: weight.dataSync() as Float32Array }
}

function dequantized(quantized: QuantizedTensor): Float32Array {
  const values = quantized.dequantize()
  const data = values.dataSync() as Float32Array
  values.dispose()
  return data
}

/** FP4 has a -0 and a +0 code; as numbers they are the same value. */
const withoutSignOfZero = (values: ArrayLike<number>) => Array.from(values, (value) => value + 0)

/** The index of the nearest code book value, by brute force. */
const nearestCode = (value: number, codebook: readonly number[]) =>
  codebook.reduce((best, code, index) => (Math.abs(code - value) < Math.abs(codebook[best]! - value) ? index : best), 0)

describe('code books', () => {
  it('holds bitsandbytes\' NF4 values: sorted, 16, from -1 to 1 with an exact zero', () => {
    expect(NF4.values).toHaveLength(16)
    expect([...NF4.values].sort((a, b) => a - b)).toEqual(NF4.values)
    expect([NF4.values[0], NF4.values[7], NF4.values[15]]).toEqual([-1, 0, 1])
  })

  it('holds bitsandbytes\' FP4 values in its code order (sign bit 3), as its dequantization tree gives them', () => {
    const positive = [0, 0.0052083333, 0.6666667, 1, 0.3333333, 0.5, 0.1666667, 0.25]
    FP4.values.forEach((value, code) => expect(value).toBeCloseTo((code & 8 ? -1 : 1) * positive[code & 7]!, 7))
    expect(FP4.encode(0)).toBe(0)
    expect(FP4.encode(-0.9)).toBe(0b1011)
  })

  it('holds the signed dynamic 8-bit map: 256 sorted distinct values in (-1, 1] with 0 and 1', () => {
    expect(new Set(DYNAMIC_8BIT.values).size).toBe(256)
    expect([...DYNAMIC_8BIT.values].sort((a, b) => a - b)).toEqual(DYNAMIC_8BIT.values)
    expect(DYNAMIC_8BIT.values.at(-1)).toBe(1)
    expect(DYNAMIC_8BIT.values).toContain(0)
    expect(DYNAMIC_8BIT.values[0]).toBeCloseTo(-(0.1 + 0.9 * 63.5 / 64), 12)
  })

  it('encodes a value as its nearest code', () => {
    for (const codebook of [NF4, FP4, DYNAMIC_8BIT]) {
      // An irrational offset keeps the values off the exact midpoints between codes, where rounding decides.
      for (let i = 0; i < 2000; i++) {
        const value = -1 + (i + Math.SQRT1_2) / 1000
        expect(codebook.values[codebook.encode(value)]! + 0).toBe(codebook.values[nearestCode(value, codebook.values)]! + 0)
      }
    }
  })
})

describe('4-bit blockwise quantization', () => {
  it.each(['nf4', 'fp4'] as const)('%s: every dequantized value is its nearest code × its block\'s absmax (odd shape, short last block)', (quantType) => {
    const { weight, values } = gaussian([37, 53], 1)
    const quantized = quantize4bit(weight, quantType, false)
    const result = dequantized(quantized)
    const codebook = FOUR_BIT_CODEBOOKS[quantType].values
    for (let start = 0; start < values.length; start += 64) {
      const block = values.subarray(start, start + 64)
      const absmax = Math.max(...block.map(Math.abs))
      const reciprocal = Math.fround(1 / absmax)
      block.forEach((value, i) => {
        const code = codebook[nearestCode(Math.fround(value * reciprocal), codebook)]!
        expect(result[start + i]! + 0).toBe(Math.fround(Math.fround(code) * absmax) + 0)
      })
    }
    tf.dispose(weight)
    quantized.dispose()
  })

  it.each([
    // bitsandbytes' test_4bit_quant bounds for N(0, 1) at block size 64: mean |error| < 0.1, mean relative error < 0.28.
    ['nf4', 0.1, 0.28],
    ['fp4', 0.12, 0.29],
  ] as const)('%s: round-trip error on Gaussian weights is within bitsandbytes\' bounds', (quantType, maxError, maxRelative) => {
    const { weight, values } = gaussian([256, 256], 2)
    const quantized = quantize4bit(weight, quantType, false)
    const result = dequantized(quantized)
    let error = 0
    let relative = 0
    values.forEach((value, i) => {
      error += Math.abs(value - result[i]!)
      relative += Math.abs(value - result[i]!) / (Math.abs(value) + 1e-8)
    })
    expect(error / values.length).toBeLessThan(maxError)
    expect(relative / values.length).toBeLessThan(maxRelative)
    tf.dispose(weight)
    quantized.dispose()
  })

  it.each(['nf4', 'fp4'] as const)('%s: quantizing the dequantized weight again gives the same codes and constants', (quantType: FourBitQuantType) => {
    const { weight } = gaussian([48, 40], 3)
    const first = quantize4bit(weight, quantType, false)
    const dequantizedWeight = first.dequantize()
    const second = quantize4bit(dequantizedWeight, quantType, false)
    let [firstCodes, secondCodes] = [first, second].map((q) => Array.from(q.packedCodes.dataSync()))
    // FP4 has two zeros: -0 (code 8) comes back as +0 (code 0), as bitsandbytes' `value < 0` sign test makes it.
    if (quantType === 'fp4') [firstCodes, secondCodes] = [firstCodes!, secondCodes!].map((words) => words.map((word) => withoutNegativeZeros(word)))
    expect(secondCodes).toEqual(firstCodes)
    expect(withoutSignOfZero(dequantized(second))).toEqual(withoutSignOfZero(dequantizedWeight.dataSync()))
    tf.dispose([weight, dequantizedWeight])
    first.dispose()
    second.dispose()
  })

  it('double quantization keeps the absmax constants within 1% and barely changes the weights', () => {
    const { weight, values } = gaussian([128, 640], 4)
    const plain = quantize4bit(weight, 'nf4', false)
    const double = quantize4bit(weight, 'nf4', true)
    const [exact, approximate] = [plain, double].map((q) => {
      const absmax = q.dequantizeAbsmax()
      const data = Array.from(absmax.dataSync())
      absmax.dispose()
      return data
    })
    const relativeErrors = exact!.map((value, i) => Math.abs(value - approximate![i]!) / value)
    expect(Math.max(...relativeErrors)).toBeLessThan(0.01)
    expect(relativeErrors.reduce((sum, e) => sum + e, 0) / relativeErrors.length).toBeLessThan(0.002)
    const meanError = (q: QuantizedTensor) => dequantized(q).reduce((sum, value, i) => sum + Math.abs(value - values[i]!), 0) / values.length
    expect(meanError(double)).toBeLessThan(meanError(plain) * 1.01)
    tf.dispose(weight)
    plain.dispose()
    double.dispose()
  })

  // The demo backbone (hidden 64, intermediate 256) gives 64 or 256 absmax values per
  // weight: one short block of 256 for double quantization, or exactly one.
  it.each([
    [[64, 64]], [[256, 64]], [[64, 256]], [[77, 64]],
  ] as Array<[[number, number]]>)('%j, double-quantized: each weight is its block\'s NF4 value × absmax (within the 8-bit absmax error)', (shape) => {
    const { weight, values } = gaussian(shape, 5)
    const quantized = quantize4bit(weight, 'nf4', true)
    const weights = dequantized(quantized)
    for (let block = 0; block < values.length / 64; block++) {
      const blockValues = values.subarray(block * 64, (block + 1) * 64)
      const absmax = Math.max(...Array.from(blockValues, Math.abs))
      blockValues.forEach((value, i) => {
        const expected = NF4.values[nearestCode(value / absmax, NF4.values)]! * absmax
        expect(Math.abs(weights[block * 64 + i]! - expected)).toBeLessThanOrEqual(0.01 * absmax)
      })
    }
    tf.dispose(weight)
    quantized.dispose()
  })

  // Only QLoRA runs GatherV2 on a 1-D table (the code book) with thousands of indices.
  it.skipIf(nativeSkipReason !== '')(`decodes to the same values with the native kernels on and off${nativeSkipReason}`, () => {
    const { weight } = gaussian([256, 64], 6)
    const quantized = quantize4bit(weight, 'nf4', true)
    const { native, original } = withAndWithout(() => dequantized(quantized))
    expect(native).toEqual(original)
    tf.dispose(weight)
    quantized.dispose()
  })

  it('stores 0.5 byte per parameter of codes plus the absmax constants: 4/64 byte in fp32, about 1/64 double-quantized', () => {
    const { weight } = gaussian([256, 256], 5)
    const plain = quantize4bit(weight, 'nf4', false)
    const double = quantize4bit(weight, 'nf4', true)
    expect(plain.storageBytes / plain.size).toBe(0.5 + 4 / 64)
    // codes + one 8-bit code per block + one fp32 constant per 256 blocks + the fp32 mean.
    expect(double.storageBytes).toBe(65536 / 2 + 1024 + (1024 / 256) * 4 + 4)
    expect(double.storageBytes / double.size).toBeCloseTo(0.5159, 4)
    tf.dispose(weight)
    plain.dispose()
    double.dispose()
  })

  it('dequantizes without leaving tensors behind, and dispose frees everything', () => {
    const before = tf.memory().numTensors
    const { weight } = gaussian([10, 70], 6)
    const quantized = quantize4bit(weight, 'nf4', true)
    weight.dispose()
    const kept = tf.memory().numTensors
    quantized.dequantize().dispose()
    quantized.dequantizeAbsmax().dispose()
    expect(tf.memory().numTensors).toBe(kept)
    quantized.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})

/** A packed word with every FP4 -0 code (8) replaced by +0 (0). */
function withoutNegativeZeros(word: number): number {
  let result = word
  for (let slot = 0; slot < 8; slot++) {
    if (((word >>> (4 * slot)) & 0xf) === 8) result &= ~(0xf << (4 * slot))
  }
  return result
}
