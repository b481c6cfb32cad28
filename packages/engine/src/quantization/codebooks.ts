/**
 * The code books of bitsandbytes: the value each 4-bit or 8-bit code stands for, as a
 * fraction of its block's absolute maximum. Values and code order are bitsandbytes'
 * own (`bitsandbytes.functional.get_4bit_type`, `create_dynamic_map`), so a code here
 * means what the same code means there.
 */

export interface Codebook {
  /** `values[code]`: what the code decodes to, before scaling by the block's absmax. */
  readonly values: readonly number[]
  /** The code bitsandbytes gives a value already divided by its block's absmax: the nearest one. */
  encode(normalized: number): number
}

/**
 * A nearest-value encoder by binary search over the midpoints of the sorted values
 * (bitsandbytes' decision trees and its 8-bit search compare against the same
 * midpoints). A value exactly on a midpoint takes the smaller code value.
 */
function nearestValueEncoder(values: readonly number[]): (value: number) => number {
  const order = values.map((_, code) => code).sort((a, b) => values[a]! - values[b]!)
  const midpoints = order.slice(1).map((code, i) => (values[order[i]!]! + values[code]!) / 2)
  return (value) => {
    let low = 0
    let high = midpoints.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (value > midpoints[middle]!) low = middle + 1
      else high = middle
    }
    return order[low]!
  }
}

/**
 * NormalFloat4 (Dettmers et al. 2023, QLoRA §3.1): quantiles of N(0, 1) scaled to
 * [-1, 1] with an exact zero; information-theoretically optimal for normally
 * distributed weights. Sorted, so code i is the i-th smallest value.
 */
const NF4_VALUES = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
  -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]

export const NF4: Codebook = { values: NF4_VALUES, encode: nearestValueEncoder(NF4_VALUES) }

/**
 * bitsandbytes' FP4 (1 sign, 2 exponent, 1 mantissa bit): bit 3 is the sign and
 * bits 0-2 select the magnitudes 0, 0.0625, 8, 12, 4, 6, 2, 3, all divided by 12.
 * Its quantizer takes the sign from `value < 0` and then the nearest magnitude.
 */
const FP4_VALUES = [0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3].map((value) => value / 12)
const SIGN_BIT = 0b1000
const nearestFp4Magnitude = nearestValueEncoder(FP4_VALUES.slice(0, SIGN_BIT))

export const FP4: Codebook = {
  values: FP4_VALUES,
  encode: (value) => (value < 0 ? nearestFp4Magnitude(-value) | SIGN_BIT : nearestFp4Magnitude(value)),
}

export type FourBitQuantType = 'nf4' | 'fp4'

export const FOUR_BIT_CODEBOOKS: Record<FourBitQuantType, Codebook> = { nf4: NF4, fp4: FP4 }

/**
 * bitsandbytes' signed dynamic 8-bit map (`create_dynamic_map(signed=True)`), with
 * which double quantization stores the absmax constants: for each decade 10^(i-6),
 * i = 0 … 6, the 2^i midpoints of equal steps from 0.1 to 1 of it, both signs, plus
 * 0 and 1. 256 sorted values, dense near zero, where centred absmax values lie.
 */
const DYNAMIC_8BIT_VALUES = (() => {
  const values = [0, 1]
  for (let i = 0; i < 7; i++) {
    const steps = 2 ** i
    for (let step = 0; step < steps; step++) {
      const midpoint = 10 ** (i - 6) * (0.1 + (0.9 * (step + 0.5)) / steps)
      values.push(midpoint, -midpoint)
    }
  }
  return values.sort((a, b) => a - b)
})()

export const DYNAMIC_8BIT: Codebook = { values: DYNAMIC_8BIT_VALUES, encode: nearestValueEncoder(DYNAMIC_8BIT_VALUES) }
