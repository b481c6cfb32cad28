import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { packCodes, unpackCodes } from './packing'
import type { CodeBits } from './packing'

beforeAll(async () => {
  await initBackend()
})

function roundTrip(codes: number[], bits: CodeBits): number[] {
  const words = tf.tensor1d(packCodes(codes, bits), 'int32')
  const unpacked = unpackCodes(words, bits)
  const result = Array.from(unpacked.dataSync())
  tf.dispose([words, unpacked])
  return result
}

describe('code packing', () => {
  it('puts 8 four-bit codes in a word, code 0 lowest, so a high code in the last slot makes the word negative', () => {
    expect(Array.from(packCodes([1, 2, 3, 4, 5, 6, 7, 8], 4))).toEqual([0x87654321 | 0])
    expect(Array.from(packCodes([255, 0, 0, 128], 8))).toEqual([0x800000ff | 0])
  })

  it('lays codes out planar: with W words, code p is in word p mod W, slot floor(p / W)', () => {
    expect(Array.from(packCodes([1, 2, 3, 4, 5, 6, 7, 8, 9], 4))).toEqual([0x97531, 0x8642])
  })

  it('unpacks every 4-bit code in every slot, and words at the float32 rounding edges, exactly', () => {
    const words = [
      // Every code in every slot.
      ...Array.from({ length: 8 * 16 }, (_, i) => (i % 16) * 16 ** Math.floor(i / 16)),
      // int32 extremes, words just above 2^24, and words whose float32 value rounds up past a multiple of 2^16.
      0x7fffffff, 0x80000000, 0xffffffff, 0x01000001, 0x00ffffff, 0x1234ffff, 0xfffeffff, 0x8000ffff, 0x7ffeff81,
    ].map((word) => word | 0)
    const codes = Array.from({ length: 8 * words.length }, (_, p) => (words[p % words.length]! >>> (4 * Math.floor(p / words.length))) & 0xf)
    expect(Array.from(packCodes(codes, 4))).toEqual(words)
    expect(roundTrip(codes, 4)).toEqual(codes)
  })

  it('round-trips random codes of odd lengths, padding the last word with code 0', () => {
    const random = tf.randomUniform([1003], 0, 16, 'int32', 7)
    const codes = Array.from(random.dataSync())
    random.dispose()
    for (const length of [1, 7, 9, 64, 65, 1003]) {
      const expected = codes.slice(0, length)
      const padding = Array.from({ length: Math.ceil(length / 8) * 8 - length }, () => 0)
      expect(roundTrip(expected, 4)).toEqual([...expected, ...padding])
    }
  })

  it('round-trips all 256 eight-bit codes', () => {
    const codes = Array.from({ length: 256 }, (_, code) => code).reverse()
    expect(roundTrip(codes, 8)).toEqual(codes)
    expect(roundTrip([255, 1, 128], 8)).toEqual([255, 1, 128, 0])
  })

  it('leaves no tensors behind', () => {
    const words = tf.tensor1d(packCodes([1, 2, 3], 4), 'int32')
    const before = tf.memory().numTensors
    unpackCodes(words, 4).dispose()
    expect(tf.memory().numTensors).toBe(before)
    words.dispose()
  })
})
