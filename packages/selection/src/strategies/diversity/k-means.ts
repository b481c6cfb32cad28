import { seededRandom } from '@bankbench/data'
import { required, unlabeledIndices } from '../../pool'
import type { Embeddings, SelectionStrategy } from '../../types'
import { forMetric, squaredDistance, type Metric } from '../geometry'

export interface KMeansOptions {
  metric: Metric
  /** Lloyd iterations after k-means++ seeding (it stops earlier once no row changes cluster). */
  iterations: number
}

/**
 * Clustering diversity (small-text's EmbeddingKMeans): the unlabelled pool is cut
 * into as many k-means clusters as the batch holds, and the row nearest each
 * centroid is labelled: one representative per region of the pool.
 */
export const diversityKMeans: SelectionStrategy<KMeansOptions> = {
  name: 'diversity-k-means',
  description: 'k-means over the unlabelled pool (k = batch size), the row nearest each centroid',
  needs: ['embeddings'],
  defaults: { metric: 'euclidean', iterations: 10 },
  select(request, options) {
    const embeddings = forMetric(required(request.pool, 'embeddings', 'diversity-k-means'), options.metric)
    const candidates = unlabeledIndices(request)
    const k = Math.min(request.batchSize, candidates.length)
    if (k === 0) return []
    const centroids = kMeans(embeddings, candidates, k, options.iterations, request.seed)
    return nearestDistinct(embeddings, candidates, centroids, k)
  },
}

/** k-means++ seeding then Lloyd's iterations over the candidate rows; returns k centroids row-major. */
export function kMeans(embeddings: Embeddings, candidates: readonly number[], k: number, iterations: number, seed: number): Float32Array {
  const { dimension, values } = embeddings
  const random = seededRandom(seed)
  const centroids = new Float32Array(k * dimension)
  const copyRow = (target: number, source: number) => centroids.set(values.subarray(source * dimension, (source + 1) * dimension), target * dimension)
  // k-means++: each next seed drawn with probability proportional to its squared distance to the nearest seed so far.
  const nearest = new Float64Array(candidates.length).fill(Infinity)
  copyRow(0, candidates[Math.floor(random() * candidates.length)]!)
  for (let center = 1; center < k; center++) {
    let total = 0
    for (let c = 0; c < candidates.length; c++) {
      const distance = squaredDistance(values, candidates[c]!, centroids, center - 1, dimension)
      if (distance < nearest[c]!) nearest[c] = distance
      total += nearest[c]!
    }
    let target = random() * total
    let chosen = candidates.length - 1
    for (let c = 0; c < candidates.length; c++) {
      target -= nearest[c]!
      if (target < 0) {
        chosen = c
        break
      }
    }
    copyRow(center, candidates[chosen]!)
  }
  const assignment = new Int32Array(candidates.length).fill(-1)
  for (let iteration = 0; iteration < iterations; iteration++) {
    let changed = false
    for (let c = 0; c < candidates.length; c++) {
      let best = 0
      let bestDistance = Infinity
      for (let center = 0; center < k; center++) {
        const distance = squaredDistance(values, candidates[c]!, centroids, center, dimension)
        if (distance < bestDistance) {
          bestDistance = distance
          best = center
        }
      }
      if (assignment[c] !== best) changed = true
      assignment[c] = best
    }
    if (!changed) break
    const sums = new Float64Array(k * dimension)
    const counts = new Int32Array(k)
    for (let c = 0; c < candidates.length; c++) {
      const center = assignment[c]!
      counts[center]!++
      for (let j = 0; j < dimension; j++) sums[center * dimension + j]! += values[candidates[c]! * dimension + j]!
    }
    // An emptied cluster keeps its centroid: it still names a region a row may be nearest to.
    for (let center = 0; center < k; center++) {
      if (counts[center]! === 0) continue
      for (let j = 0; j < dimension; j++) centroids[center * dimension + j] = sums[center * dimension + j]! / counts[center]!
    }
  }
  return centroids
}

/** For each centroid in turn, the nearest candidate not yet taken. */
function nearestDistinct(embeddings: Embeddings, candidates: readonly number[], centroids: Float32Array, k: number): number[] {
  const taken = new Uint8Array(candidates.length)
  const chosen: number[] = []
  for (let center = 0; center < k; center++) {
    let best = -1
    let bestDistance = Infinity
    for (let c = 0; c < candidates.length; c++) {
      if (taken[c]) continue
      const distance = squaredDistance(embeddings.values, candidates[c]!, centroids, center, embeddings.dimension)
      if (distance < bestDistance) {
        bestDistance = distance
        best = c
      }
    }
    taken[best] = 1
    chosen.push(candidates[best]!)
  }
  return chosen
}
