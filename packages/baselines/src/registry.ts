import { MajorityClassifier } from './majority'
import { RandomClassifier } from './random'
import { TfidfLogRegClassifier, type TfidfLogRegTrainOptions } from './tfidf-logreg/classifier'
import type { Example, SeedOption, TextClassifier } from './types'

export const BASELINE_METHODS = ['random', 'majority', 'tfidf-logreg'] as const
export type BaselineMethod = (typeof BASELINE_METHODS)[number]

export interface BaselineOptionsByMethod {
  random: SeedOption
  majority: SeedOption
  'tfidf-logreg': TfidfLogRegTrainOptions
}

interface BaselineEntry<M extends BaselineMethod> {
  train(train: Example[], labels: string[], options: BaselineOptionsByMethod[M]): TextClassifier
  load(json: unknown): TextClassifier
}

/** One entry per method: adding a baseline means one new file and one line here. */
const BASELINES: { [M in BaselineMethod]: BaselineEntry<M> } = {
  random: RandomClassifier,
  majority: MajorityClassifier,
  'tfidf-logreg': TfidfLogRegClassifier,
}

export function isBaselineMethod(method: unknown): method is BaselineMethod {
  return typeof method === 'string' && (BASELINE_METHODS as readonly string[]).includes(method)
}

/** Trains the named baseline on `train`; it predicts only labels from `labels`. */
export function trainBaseline<M extends BaselineMethod>(method: M, train: Example[], labels: string[], options: BaselineOptionsByMethod[M]): TextClassifier {
  const entry: BaselineEntry<M> = BASELINES[method]
  return entry.train(train, labels, options)
}

/** Restores a classifier from its `toJSON()` object (also after a JSON round trip). */
export function loadBaseline(json: unknown): TextClassifier {
  const method = (json as { method?: unknown } | null)?.method
  if (!isBaselineMethod(method)) {
    throw new Error(`Unknown baseline method ${JSON.stringify(method)}; expected one of ${BASELINE_METHODS.join(', ')}`)
  }
  return BASELINES[method].load(json)
}
