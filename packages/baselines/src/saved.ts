/**
 * What a baseline run saves as its model (`model.json`) and how it is read back: the
 * trainer writes it, serving loads it to deploy the run. A text baseline (random,
 * majority, tfidf-logreg) saves its classifier's JSON; a frozen-feature baseline
 * (frozen-probe, centroid) saves the base model it reads, how it reads it, and the
 * fitted head. The features come from the engine, which this package does not import:
 * whoever loads one supplies the encoder (`withEncoder`).
 */
import type { DenseMatrix, FeatureClassifier } from './frozen-features/dense'
import { isFeatureBaselineMethod, loadFeatureBaseline } from './frozen-features/registry'
import { isBaselineMethod, loadBaseline } from './registry'
import type { SerializedBaseline, TextClassifier, TextPredictor } from './types'

/** How a frozen-feature baseline reads a text: the base model (pinned, as runs record it), mean-pooled last hidden states, truncated to maxLength tokens. */
export interface FeatureEncoding {
  baseModel: string
  pooling: 'mean'
  maxLength: number
}

export interface SavedFeatureBaseline extends FeatureEncoding {
  classifier: SerializedBaseline
}

export type SavedBaseline =
  | { kind: 'text'; classifier: TextClassifier }
  | { kind: 'features'; encoding: FeatureEncoding; classifier: FeatureClassifier }

/** The model.json of a frozen-feature baseline run. */
export function saveFeatureBaseline(encoding: FeatureEncoding, classifier: FeatureClassifier): SavedFeatureBaseline {
  return { ...encoding, classifier: classifier.toJSON() }
}

/** Reads a baseline run's model.json (parsed), whichever kind of baseline saved it. */
export function loadSavedBaseline(json: unknown): SavedBaseline {
  const saved = json as Partial<SavedFeatureBaseline & SerializedBaseline> | null
  if (typeof saved !== 'object' || saved === null) throw new Error('A saved baseline is a JSON object')
  if (isBaselineMethod(saved.method)) return { kind: 'text', classifier: loadBaseline(saved) }
  if (isFeatureBaselineMethod(saved.classifier?.method)) {
    if (typeof saved.baseModel !== 'string' || saved.pooling !== 'mean' || typeof saved.maxLength !== 'number') {
      throw new Error('A saved frozen-feature baseline names its baseModel, pooling (mean) and maxLength')
    }
    return { kind: 'features', encoding: { baseModel: saved.baseModel, pooling: saved.pooling, maxLength: saved.maxLength }, classifier: loadFeatureBaseline(saved.classifier) }
  }
  throw new Error(`Not a saved baseline: method ${JSON.stringify(saved.method ?? saved.classifier?.method)}`)
}

/** A feature classifier that reads texts through `embed` (the frozen base model): what the trainer evaluates and serving serves. */
export function withEncoder(classifier: FeatureClassifier, embed: (texts: readonly string[]) => DenseMatrix): TextPredictor {
  return {
    labels: classifier.labels,
    predict: (texts, options) => classifier.predict(embed(texts), options),
  }
}
