import { seededRandom } from '@bankbench/data'
import { required, unlabeledIndices } from '../../pool'
import type { SelectionStrategy } from '../../types'
import { farthestPoints, forMetric, type Metric } from '../geometry'

export interface MaxMinOptions {
  metric: Metric
}

/**
 * Max-min diversity sampling: a batch whose smallest pairwise distance is as large as
 * the greedy can make it (farthest-point traversal from a seeded random start). Unlike
 * core-set it ignores what is already labelled: it spreads each batch over the pool,
 * not the labelled set's gaps.
 */
export const diversityMaxMin: SelectionStrategy<MaxMinOptions> = {
  name: 'diversity-max-min',
  description: 'each batch spread out: farthest-point traversal over the unlabelled pool',
  needs: ['embeddings'],
  defaults: { metric: 'euclidean' },
  select(request, options) {
    const embeddings = forMetric(required(request.pool, 'embeddings', 'diversity-max-min'), options.metric)
    const candidates = unlabeledIndices(request)
    if (candidates.length === 0) return []
    const distances = new Float64Array(candidates.length).fill(Number.MAX_VALUE)
    distances[Math.floor(seededRandom(request.seed)() * candidates.length)] = Infinity
    return farthestPoints(embeddings, candidates, distances, request.batchSize)
  },
}
