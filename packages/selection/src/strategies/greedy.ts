import { seededShuffle } from '@bankbench/data'
import { required, row, topScored, unlabeledIndices } from '../pool'
import type { SelectionStrategy } from '../types'

export interface GreedyOptions {
  /** Rows whose predicted-class probability is below this are candidates (the seed study: 0.7, 0.8, 0.9). */
  threshold: number
  /** How to choose among the candidates: uniformly, or least confident first. */
  order: 'random' | 'uncertainty'
}

/**
 * Greedy threshold selection: label what the model is not sure of. The rows whose
 * predicted-class probability is under the threshold are candidates; the batch is
 * drawn from them (at random, or least confident first) and, when they are fewer
 * than the batch, filled with the least confident of the rest, so that every round
 * spends its budget.
 */
export const greedy: SelectionStrategy<GreedyOptions> = {
  name: 'greedy',
  description: 'predicted-class probability under a threshold, then random among those',
  needs: ['probabilities'],
  defaults: { threshold: 0.8, order: 'random' },
  select(request, options) {
    const probabilities = required(request.pool, 'probabilities', 'greedy')
    const { classCount } = request.pool
    const confidence = (index: number) => Math.max(...row(probabilities, classCount, index))
    const below = unlabeledIndices(request).filter((index) => confidence(index) < options.threshold)
    if (below.length >= request.batchSize) {
      if (options.order === 'random') return seededShuffle(below, request.seed).slice(0, request.batchSize)
      return topScored({ ...request, labeled: maskExcept(request.pool.size, below) }, (index) => -confidence(index))
    }
    const chosen = new Set(below)
    const rest = topScored({ ...request, labeled: maskWith(request.labeled, below), batchSize: request.batchSize - below.length }, (index) => -confidence(index))
    return [...chosen, ...rest]
  },
}

/** A labelled mask that leaves only `allowed` selectable. */
function maskExcept(size: number, allowed: readonly number[]): Uint8Array {
  const mask = new Uint8Array(size).fill(1)
  for (const index of allowed) mask[index] = 0
  return mask
}

/** `labeled` with `taken` marked too. */
function maskWith(labeled: Uint8Array, taken: readonly number[]): Uint8Array {
  const mask = Uint8Array.from(labeled)
  for (const index of taken) mask[index] = 1
  return mask
}
