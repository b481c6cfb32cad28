import type { Example } from '@bankbench/data'

export type { Example }

export interface Prediction {
  label: string
  /** The classifier's probability for `label`, in [0, 1]. */
  confidence: number
  /** Every label's probability, in the order of the classifier's `labels`; only when asked for. */
  scores?: number[]
}

export interface PredictOptions {
  /** Include every label's probability (`Prediction.scores`). Default false. */
  scores?: boolean
}

/**
 * What labels texts: every text baseline, and a frozen-feature baseline with its encoder
 * (`withEncoder`). The same shape as the engine's intent classifier (labels, predictions
 * with optional scores), so that serving wraps both behind one predictor interface.
 */
export interface TextPredictor {
  /** The labels `scores` are given for, in order (the majority baseline knows only the one it predicts). */
  readonly labels: readonly string[]
  predict(texts: string[], options?: PredictOptions): Prediction[]
}

/** What every text baseline offers: batch prediction and a JSON form that `loadBaseline` restores exactly. */
export interface TextClassifier extends TextPredictor {
  readonly method: string
  /** A JSON-safe object carrying `method` and `version`; restoring it gives identical predictions. */
  toJSON(): SerializedBaseline
}

export interface SerializedBaseline {
  method: string
  version: number
}

/** Every method takes a seed, so that a run is reproducible whether or not the method draws numbers. */
export interface SeedOption {
  seed: number
}

/** Checks that every training label is one of `labels`, which fixes the output label set. */
export function assertKnownLabels(train: Example[], labels: string[]): void {
  if (labels.length === 0) throw new Error('A baseline needs at least one label')
  const known = new Set(labels)
  const unknown = train.find((example) => !known.has(example.label))
  if (unknown) throw new Error(`Training label "${unknown.label}" is not in the ${labels.length} labels given`)
}

/** Checks the method and version of a serialized baseline before it is trusted. */
export function assertSerialized<T extends SerializedBaseline>(json: unknown, method: string, version: number): asserts json is T {
  const candidate = json as Partial<SerializedBaseline> | null
  if (typeof candidate !== 'object' || candidate === null || candidate.method !== method) {
    throw new Error(`Expected a serialized "${method}" baseline`)
  }
  if (candidate.version !== version) {
    throw new Error(`Serialized "${method}" baseline has version ${String(candidate.version)}; this code reads version ${version}`)
  }
}
