import { seededShuffle } from '@bankbench/data'
import { required, row, unlabeledIndices } from '../pool'
import type { SelectionStrategy } from '../types'
import { forMetric, squaredDistance, type Metric } from './geometry'

export interface ContrastiveOptions {
  /** Labelled neighbours each candidate is compared with (small-text's and the paper's k = 10). */
  neighbours: number
  metric: Metric
}

/** Probabilities are floored here inside the KL divergence: a hard 0 in the candidate's prediction would make it infinite. */
const PROBABILITY_FLOOR = 1e-12

/**
 * Contrastive active learning, CAL (Margatina et al., EMNLP 2021, "Active Learning by
 * Acquiring Contrastive Examples"; small-text's ContrastiveActiveLearning): rows that sit
 * close to labelled rows in embedding space yet are predicted differently. For each
 * unlabelled candidate x_p, its `neighbours` nearest labelled rows x_l (ties to the lower
 * index) and its score
 *   s(x_p) = mean over those x_l of KL(p(y | x_l) ‖ p(y | x_p)),
 * the batch being the highest scores (ties to the lower index). As in the paper, the
 * neighbours are labelled rows (small-text searches the whole pool) and the divergence is
 * summed over classes (small-text averages over classes as well, which only rescales it).
 * Distances are cosine by default (small-text L2-normalises the embeddings).
 * With fewer labelled rows than `neighbours` every labelled row is a neighbour; with none,
 * nothing is contrasted and the batch is a seeded uniform sample, as random's.
 */
export const contrastive: SelectionStrategy<ContrastiveOptions> = {
  name: 'contrastive',
  description: 'contrastive active learning (CAL): largest mean KL divergence from the predictions of the nearest labelled rows',
  needs: ['probabilities', 'embeddings'],
  defaults: { neighbours: 10, metric: 'cosine' },
  select(request, options) {
    if (!Number.isInteger(options.neighbours) || options.neighbours < 1) throw new Error(`the contrastive strategy needs a positive whole number of neighbours, not ${options.neighbours}`)
    const probabilities = required(request.pool, 'probabilities', 'contrastive')
    const embeddings = forMetric(required(request.pool, 'embeddings', 'contrastive'), options.metric)
    const { classCount } = request.pool
    const candidates = unlabeledIndices(request)
    const labeled: number[] = []
    for (let index = 0; index < request.pool.size; index++) if (request.labeled[index]) labeled.push(index)
    if (labeled.length === 0) return seededShuffle(candidates, request.seed).slice(0, request.batchSize)

    const k = Math.min(options.neighbours, labeled.length)
    const scores = candidates.map((candidate) => {
      const nearest = nearestLabeled(embeddings.values, embeddings.dimension, candidate, labeled, k)
      const own = row(probabilities, classCount, candidate)
      let total = 0
      for (const neighbour of nearest) total += klDivergence(row(probabilities, classCount, neighbour), own)
      return { index: candidate, score: total / nearest.length }
    })
    scores.sort((a, b) => b.score - a.score || a.index - b.index)
    return scores.slice(0, request.batchSize).map((entry) => entry.index)
  },
}

/** The k labelled rows nearest `candidate` (ties to the lower index), by insertion into a sorted list of k. */
function nearestLabeled(values: Float32Array, dimension: number, candidate: number, labeled: readonly number[], k: number): number[] {
  const indices: number[] = []
  const distances: number[] = []
  for (const other of labeled) {
    const distance = squaredDistance(values, candidate, values, other, dimension)
    // `labeled` is in index order, so an equal distance already kept belongs to a lower index and stays ahead.
    if (indices.length === k && distance >= distances[k - 1]!) continue
    let position = indices.length === k ? k - 1 : indices.length
    while (position > 0 && distances[position - 1]! > distance) {
      if (position < k) {
        distances[position] = distances[position - 1]!
        indices[position] = indices[position - 1]!
      }
      position--
    }
    distances[position] = distance
    indices[position] = other
  }
  return indices
}

/** KL(p ‖ q) in nats over one row's classes; 0·log 0 = 0, q floored so a hard 0 stays finite. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sum = 0
  for (let k = 0; k < p.length; k++) {
    const pk = p[k]!
    if (pk > 0) sum += pk * Math.log(Math.max(pk, PROBABILITY_FLOOR) / Math.max(q[k]!, PROBABILITY_FLOOR))
  }
  return sum
}
