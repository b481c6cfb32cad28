/**
 * Codes packed into int32 words, because tfjs has no uint8 or int4 dtype: 8 four-bit
 * or 4 eight-bit codes per word. The layout is planar: with W words, code p sits in
 * word p mod W, slot floor(p / W) (slot 0 in the lowest bits). Unpacking then yields
 * one slot of every word at a time, and joining the slots is a cheap concatenation
 * along axis 0 (interleaving them along axis 1 was most of the decoding time on wasm).
 *
 * Unpacking must run on every backend, and the wasm one has no bit shifts and an
 * integer floorDiv that is wrong above 2^24 (it divides in float32). So each word is
 * first split exactly into two 16-bit halves with int32 add/subtract/multiply (exact
 * on every backend) plus one float estimate that is corrected; a 16-bit half is then
 * exact in float32 and yields its codes by floor division by 2^bits.
 */
import * as tf from '@tensorflow/tfjs'

export type CodeBits = 4 | 8

const HALF = 2 ** 16

export function codesPerWord(bits: CodeBits): number {
  return 32 / bits
}

/** Packs codes (each < 2^bits); slots past the last code hold code 0. */
export function packCodes(codes: ArrayLike<number>, bits: CodeBits): Int32Array {
  const words = new Int32Array(Math.ceil(codes.length / codesPerWord(bits)))
  for (let p = 0; p < codes.length; p++) {
    // JS bit operators work on int32: a code in the top bits gives a negative word, as intended.
    words[p % words.length]! |= codes[p]! << (bits * Math.floor(p / words.length))
  }
  return words
}

/** The codes of `words` as int32 [words.size × codesPerWord(bits)], in packing order (the unused tail is 0). */
export function unpackCodes(words: tf.Tensor1D, bits: CodeBits): tf.Tensor1D {
  return tf.tidy(() => {
    const { low, high } = splitHalves(words)
    const slots = [low, high].flatMap((half) => digits(half, 16 / bits, 2 ** bits))
    return tf.concat(slots, 0).toInt() as tf.Tensor1D
  })
}

/** Each int32 word as its unsigned low and high 16 bits, float32 (exact: both < 2^16). */
function splitHalves(words: tf.Tensor1D): { low: tf.Tensor1D; high: tf.Tensor1D } {
  // float32(word) is off by at most 128 and never below the multiple of 2^16 under the
  // word (that multiple is exact in float32), so this estimate of the signed high half
  // is right or one too large. Capped at 2^15 - 1 so that high · 2^16 fits in int32.
  // A plain JS number operand would make tfjs compute in float32: int32 scalars keep it exact.
  const half = tf.scalar(HALF, 'int32')
  const zero = tf.scalar(0, 'int32')
  const estimate = words.toFloat().div(HALF).floor().toInt().minimum(tf.scalar(HALF / 2 - 1, 'int32'))
  const remainder = words.sub(estimate.mul(half))
  const borrow = remainder.less(zero).toInt()
  const signedHigh = estimate.sub(borrow)
  const low = remainder.add(borrow.mul(half)).toFloat() as tf.Tensor1D
  const high = signedHigh.add(signedHigh.less(zero).toInt().mul(half)).toFloat() as tf.Tensor1D
  return { low, high }
}

/** The `count` base-`base` digits of exact float32 integers, least significant first. */
function digits(value: tf.Tensor1D, count: number, base: number): tf.Tensor1D[] {
  const result: tf.Tensor1D[] = []
  let rest = value
  for (let i = 0; i < count; i++) {
    const quotient = rest.div(base).floor() as tf.Tensor1D
    result.push(rest.sub(quotient.mul(base)))
    rest = quotient
  }
  return result
}
