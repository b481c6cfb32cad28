import { seededRandom } from '@bankbench/data'
import { required, unlabeledIndices } from '../pool'
import type { SelectionStrategy } from '../types'
import { farthestPoints, forMetric, squaredDistance, type Metric } from './geometry'

export interface CoreSetOptions {
  metric: Metric
}

/**
 * Core-set selection (Sener & Savarese 2018), k-center greedy: the labelled rows are
 * centers; each pick is the unlabelled row farthest from every center so far, which
 * then becomes one. The batch covers the pool: every region far from what is labelled
 * gets a point before any region gets a second. With nothing labelled yet, the first
 * center is a seeded random row.
 */
export const coreSet: SelectionStrategy<CoreSetOptions> = {
  name: 'core-set',
  description: 'k-center greedy on embeddings: the row farthest from everything labelled, repeatedly',
  needs: ['embeddings'],
  defaults: { metric: 'euclidean' },
  select(request, options) {
    const embeddings = forMetric(required(request.pool, 'embeddings', 'core-set'), options.metric)
    const candidates = unlabeledIndices(request)
    const labeled: number[] = []
    for (let index = 0; index < request.pool.size; index++) if (request.labeled[index]) labeled.push(index)
    const { dimension, values } = embeddings
    const distances = new Float64Array(candidates.length).fill(Infinity)
    for (let c = 0; c < candidates.length; c++) {
      let nearest = Infinity
      for (const center of labeled) {
        const distance = squaredDistance(values, candidates[c]!, values, center, dimension)
        if (distance < nearest) nearest = distance
      }
      distances[c] = nearest
    }
    if (labeled.length === 0 && candidates.length > 0) {
      // Every distance is infinite: a seeded first center instead of always row 0.
      distances[Math.floor(seededRandom(request.seed)() * candidates.length)] = Number.MAX_VALUE
    }
    return farthestPoints(embeddings, candidates, distances, request.batchSize)
  },
}
