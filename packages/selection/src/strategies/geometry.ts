import type { Embeddings } from '../types'

/** How the geometric strategies measure distance between embeddings. */
export type Metric = 'euclidean' | 'cosine'
export const METRICS = ['euclidean', 'cosine'] as const

/**
 * The embeddings the distance is computed on: as they are for euclidean, scaled to
 * unit length for cosine (then squared euclidean distance is 2 - 2·cos, which orders
 * pairs exactly as cosine distance does). A zero row stays zero.
 */
export function forMetric(embeddings: Embeddings, metric: Metric): Embeddings {
  if (metric === 'euclidean') return embeddings
  const { dimension } = embeddings
  const values = Float32Array.from(embeddings.values)
  for (let start = 0; start < values.length; start += dimension) {
    let squares = 0
    for (let j = 0; j < dimension; j++) squares += values[start + j]! ** 2
    const norm = Math.sqrt(squares)
    if (norm > 0) for (let j = 0; j < dimension; j++) values[start + j]! /= norm
  }
  return { dimension, values }
}

/** Squared euclidean distance between row a of `left` and row b of `right` (same dimension). */
export function squaredDistance(left: Float32Array, a: number, right: Float32Array, b: number, dimension: number): number {
  let sum = 0
  const offsetA = a * dimension
  const offsetB = b * dimension
  for (let j = 0; j < dimension; j++) {
    const difference = left[offsetA + j]! - right[offsetB + j]!
    sum += difference * difference
  }
  return sum
}

/**
 * Farthest-point traversal (the greedy 2-approximation of k-center): `distances[i]`
 * holds each candidate's squared distance to the nearest center so far; each step
 * takes the farthest candidate (lowest index on ties) and lowers the others'
 * distances to it. Returns up to `count` candidates, in the order taken.
 */
export function farthestPoints(embeddings: Embeddings, candidates: readonly number[], distances: Float64Array, count: number): number[] {
  const { dimension, values } = embeddings
  const taken: number[] = []
  const open = new Uint8Array(candidates.length).fill(1)
  for (let step = 0; step < count && step < candidates.length; step++) {
    let best = -1
    for (let c = 0; c < candidates.length; c++) if (open[c] && (best < 0 || distances[c]! > distances[best]!)) best = c
    open[best] = 0
    const center = candidates[best]!
    taken.push(center)
    for (let c = 0; c < candidates.length; c++) {
      if (!open[c]) continue
      const distance = squaredDistance(values, candidates[c]!, values, center, dimension)
      if (distance < distances[c]!) distances[c] = distance
    }
  }
  return taken
}
