import { entropy, required, row, topScored } from '../pool'
import type { SelectionStrategy } from '../types'

/**
 * BALD (Houlsby et al. 2011; Gal et al. 2017 with Monte-Carlo dropout): the mutual
 * information between the prediction and the model's weights, estimated from T
 * predictions under independent dropout masks as
 *   H(mean_t p_t) - mean_t H(p_t).
 * High where the dropout samples are each confident but disagree with one another
 * (epistemic uncertainty), low where they agree, even on a flat distribution
 * (noise that more labels would not remove).
 */
export function baldScore(samples: readonly Float32Array[], classCount: number, index: number): number {
  const mean = new Float64Array(classCount)
  let meanEntropy = 0
  for (const sample of samples) {
    const probabilities = row(sample, classCount, index)
    for (let k = 0; k < classCount; k++) mean[k]! += probabilities[k]! / samples.length
    meanEntropy += entropy(probabilities) / samples.length
  }
  return entropy(mean) - meanEntropy
}

export const bald: SelectionStrategy = {
  name: 'bald',
  description: 'mutual information between prediction and weights over Monte-Carlo dropout samples',
  needs: ['dropoutSamples'],
  defaults: {},
  select(request) {
    const samples = required(request.pool, 'dropoutSamples', 'bald')
    if (samples.length < 2) throw new Error(`the bald strategy needs at least 2 dropout samples, got ${samples.length}`)
    return topScored(request, (index) => baldScore(samples, request.pool.classCount, index))
  },
}
