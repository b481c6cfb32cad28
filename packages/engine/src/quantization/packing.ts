/**
 * Codes packed into int32 words, because tfjs has no uint8 or int4 dtype: 8 four-bit
 * or 4 eight-bit codes per word, code 0 in the lowest bits.
 *
 * Unpacking must run on every backend, and the wasm one has no bit shifts and an
 * integer floorDiv that is wrong above 2^24 (it divides in float32). So each word is
 * first split exactly into two 16-bit halves with int32 add/subtract/multiply (exact
 * on every backend) plus one float estimate that is corrected; a 16-bit half is then
 * exact in float32 and yields its codes by floor division by powers of two.
 */
import * as tf from '@tensorflow/tfjs'

export type CodeBits = 4 | 8

const HALF = 2 ** 16

export function codesPerWord(bits: CodeBits): number {
  return 32 / bits
}

/** Packs codes (each < 2^bits); a short last word is filled with code 0. */
export function packCodes(codes: ArrayLike<number>, bits: CodeBits): Int32Array {
  const perWord = codesPerWord(bits)
  const words = new Int32Array(Math.ceil(codes.length / perWord))
  for (let i = 0; i < codes.length; i++) {
    // JS bit operators work on int32: a code in the top bits gives a negative word, as intended.
    words[Math.floor(i / perWord)]! |= codes[i]! << (bits * (i % perWord))
  }
  return words
}

/** The codes of `words` as int32 [words.size × codesPerWord(bits)], in packing order. */
export function unpackCodes(words: tf.Tensor1D, bits: CodeBits): tf.Tensor1D {
  return tf.tidy(() => {
    const { low, high } = splitHalves(words)
    const perHalf = 16 / bits
    const digits = [low, high].flatMap((half) => Array.from({ length: perHalf }, (_, j) => digit(half, 2 ** (bits * j), 2 ** bits)))
    return tf.stack(digits, 1).reshape([-1]).toInt() as tf.Tensor1D
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

/** floor(value / place) mod base, on exact float32 integers. */
function digit(value: tf.Tensor1D, place: number, base: number): tf.Tensor1D {
  const shifted = value.div(place).floor()
  return shifted.sub(shifted.div(base).floor().mul(base))
}
