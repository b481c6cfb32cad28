/**
 * Strategy name → strategy. Adding one is a module under strategies/ and one line here
 * (and its name in core's METHOD_CATALOG, which validates a run's options at the edge).
 */
import type { SelectionRequest, SelectionStrategy } from '../types'
import { badge } from './badge'
import { bald } from './bald'
import { contrastive } from './contrastive'
import { coreSet } from './core-set'
import { diversityKMeans } from './diversity/k-means'
import { diversityMaxMin } from './diversity/max-min'
import { entropy } from './entropy'
import { expectedGradientLengthStrategy } from './expected-gradient-length'
import { greedy } from './greedy'
import { leastConfidence } from './least-confidence'
import { margin } from './margin'
import { random } from './random'

/** Type-erased entries: options reach `select` merged over the strategy's own defaults. */
const erase = <Options>(strategy: SelectionStrategy<Options>) => strategy as unknown as SelectionStrategy<Record<string, unknown>>

export const SELECTION_STRATEGIES = {
  random: erase(random),
  greedy: erase(greedy),
  'least-confidence': erase(leastConfidence),
  entropy: erase(entropy),
  margin: erase(margin),
  bald: erase(bald),
  'core-set': erase(coreSet),
  'expected-gradient-length': erase(expectedGradientLengthStrategy),
  'diversity-max-min': erase(diversityMaxMin),
  'diversity-k-means': erase(diversityKMeans),
  badge: erase(badge),
  contrastive: erase(contrastive),
}

export type StrategyName = keyof typeof SELECTION_STRATEGIES
export const STRATEGY_NAMES = Object.keys(SELECTION_STRATEGIES) as StrategyName[]

export function selectionStrategy(name: string): SelectionStrategy<Record<string, unknown>> {
  const strategy = (SELECTION_STRATEGIES as Record<string, SelectionStrategy<Record<string, unknown>>>)[name]
  if (!strategy) throw new Error(`unknown selection strategy ${JSON.stringify(name)}; known: ${STRATEGY_NAMES.join(', ')}`)
  return strategy
}

/**
 * Runs a strategy with its defaults under `options`, and checks what it returns: that
 * many distinct, unlabelled pool rows. A strategy that broke this would silently
 * relabel rows or underspend the budget, which the curves would not show.
 */
export function selectBatch(name: string, request: SelectionRequest, options: Record<string, unknown> = {}): number[] {
  const strategy = selectionStrategy(name)
  const chosen = strategy.select(request, { ...strategy.defaults, ...options })
  let unlabeled = 0
  for (let index = 0; index < request.pool.size; index++) if (!request.labeled[index]) unlabeled++
  const expected = Math.min(request.batchSize, unlabeled)
  const distinct = new Set(chosen)
  if (chosen.length !== expected || distinct.size !== chosen.length || chosen.some((index) => !Number.isInteger(index) || index < 0 || index >= request.pool.size || request.labeled[index])) {
    throw new Error(`the ${name} strategy returned ${chosen.length} rows (${distinct.size} distinct) where ${expected} distinct unlabelled rows were asked for`)
  }
  return chosen
}
