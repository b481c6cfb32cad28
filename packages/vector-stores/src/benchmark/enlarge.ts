import { seededRandom } from '@bankbench/data'
import type { VectorRecord } from '../types'

/**
 * A larger index from real embeddings (the seed's 100K from Banking77's 10K): every
 * record, then copies moved by Gaussian noise of 0.1 x that dimension's standard
 * deviation (seeded), until `target`. As dense around real queries as a bigger bank's
 * traffic would be, without texts we do not have; copies keep their intent, so kNN
 * accuracy on such a set flatters and is not reported from it.
 */
export function enlargeRecords(base: readonly VectorRecord[], target: number, seed: number): VectorRecord[] {
  const dimension = base[0]?.vector.length ?? 0
  const random = seededRandom(seed)
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const mean = new Float64Array(dimension)
  const square = new Float64Array(dimension)
  for (const record of base) record.vector.forEach((value, d) => { mean[d]! += value / base.length; square[d]! += (value * value) / base.length })
  const std = Float64Array.from(mean, (m, d) => Math.sqrt(Math.max(square[d]! - m * m, 0)))
  const out = [...base]
  for (let copy = 1; out.length < target && base.length > 0; copy++) {
    for (const record of base) {
      if (out.length >= target) break
      out.push({ id: `${record.id}~${copy}`, label: record.label, vector: Float32Array.from(record.vector, (value, d) => value + 0.1 * std[d]! * gaussian()) })
    }
  }
  return out
}
