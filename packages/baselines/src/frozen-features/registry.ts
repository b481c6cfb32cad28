import type { DenseMatrix, FeatureClassifier } from './dense'
import { LinearProbe, type LinearProbeTrainOptions } from './linear-probe'
import { NearestCentroid, type NearestCentroidTrainOptions } from './nearest-centroid'

/** Baselines that classify the frozen base model's sentence vectors (the trainer computes them with the engine). */
export const FEATURE_BASELINE_METHODS = ['frozen-probe', 'centroid'] as const
export type FeatureBaselineMethod = (typeof FEATURE_BASELINE_METHODS)[number]

export interface FeatureBaselineOptionsByMethod {
  'frozen-probe': LinearProbeTrainOptions
  centroid: NearestCentroidTrainOptions
}

interface FeatureBaselineEntry<M extends FeatureBaselineMethod> {
  train(features: DenseMatrix, rowLabels: readonly string[], labels: string[], options: FeatureBaselineOptionsByMethod[M]): FeatureClassifier
  load(json: unknown): FeatureClassifier
}

const FEATURE_BASELINES: { [M in FeatureBaselineMethod]: FeatureBaselineEntry<M> } = {
  'frozen-probe': LinearProbe,
  centroid: NearestCentroid,
}

export function isFeatureBaselineMethod(method: unknown): method is FeatureBaselineMethod {
  return typeof method === 'string' && (FEATURE_BASELINE_METHODS as readonly string[]).includes(method)
}

/** Fits the named method on feature rows labelled `rowLabels`; it predicts only labels from `labels`. */
export function trainFeatureBaseline<M extends FeatureBaselineMethod>(method: M, features: DenseMatrix, rowLabels: readonly string[], labels: string[], options: FeatureBaselineOptionsByMethod[M]): FeatureClassifier {
  const entry: FeatureBaselineEntry<M> = FEATURE_BASELINES[method]
  return entry.train(features, rowLabels, labels, options)
}

/** Restores a feature classifier from its `toJSON()` object. */
export function loadFeatureBaseline(json: unknown): FeatureClassifier {
  const method = (json as { method?: unknown } | null)?.method
  if (!isFeatureBaselineMethod(method)) {
    throw new Error(`Unknown feature baseline method ${JSON.stringify(method)}; expected one of ${FEATURE_BASELINE_METHODS.join(', ')}`)
  }
  return FEATURE_BASELINES[method].load(json)
}
