/**
 * Seeded dropout with tf.dropout's masks: the multipliers come from one kernel where
 * the backend has it (native wasm), which continues tf.randomUniform's own random
 * stream (seedrandom's Alea), else from tf.dropout itself. Either way the output is
 * x · multipliers through tf.mul, whose gradient tfjs already has.
 */
import * as tf from '@tensorflow/tfjs'
import { hasKernel, runKernel } from './fused-kernel'

/** No inputs; attributes shape, keepProbability and the Alea state s0, s1, s2, c; output the multipliers. */
export const DROPOUT_MULTIPLIERS_KERNEL = 'BankbenchDropoutMultipliers'

export interface AleaState {
  s0: number
  s1: number
  s2: number
  c: number
}

/** tf.dropout(x, rate, undefined, seed): each element dropped with probability `rate`, the others scaled by 1 / (1 − rate). */
export function dropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  if (rate <= 0 || rate >= 1 || x.dtype !== 'float32' || !hasKernel(DROPOUT_MULTIPLIERS_KERNEL)) return tf.dropout(x, rate, undefined, seed)
  return tf.tidy(() => {
    const attrs = { shape: x.shape, keepProbability: 1 - rate, ...aleaState(String(seed)) }
    const multipliers = runKernel(DROPOUT_MULTIPLIERS_KERNEL, {}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor
    return tf.mul(x, multipliers)
  })
}

/**
 * The state seedrandom's `alea(seed)` starts from (Baagoe's seeding through Mash),
 * the generator tf.randomUniform draws from: tfjs seeds it with `String(seed)`.
 */
export function aleaState(seed: string): AleaState {
  const mash = createMash()
  let s0 = mash(' ')
  let s1 = mash(' ')
  let s2 = mash(' ')
  s0 -= mash(seed)
  if (s0 < 0) s0 += 1
  s1 -= mash(seed)
  if (s1 < 0) s1 += 1
  s2 -= mash(seed)
  if (s2 < 0) s2 += 1
  return { s0, s1, s2, c: 1 }
}

/** Baagoe's Mash hash, as seedrandom implements it (its state carries over between calls). */
function createMash(): (data: string) => number {
  let n = 0xefc8249d
  return (data) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i)
      let h = 0.02519603282416938 * n
      n = h >>> 0
      h -= n
      h *= n
      n = h >>> 0
      h -= n
      n += h * 0x100000000
    }
    return (n >>> 0) * 2.3283064365386963e-10
  }
}
