import type { Match, VectorIndex } from './types'
import { argmax, hybridScores, probabilitiesFromTopClass, type HybridRule } from './hybrid'

/**
 * The hybrid classifier as one object (the `hybrid` job evaluates it, serving answers
 * through it): for each text, the classifier's probabilities over its labels, the
 * encoder's vector of the text, the store's `rule.k` nearest labelled training examples,
 * mixed by `hybridScores`. Its latency is the three together.
 */
export interface ScoringClassifier {
  readonly labels: readonly string[]
  predict(texts: readonly string[], options?: { scores?: boolean }): Promise<{ label: string; confidence: number; scores?: number[] }[]>
}

export interface HybridParts {
  classifier: ScoringClassifier
  /** Row-major vectors of the texts, in the space the index holds (the same encoder as the stored embeddings). */
  encode(texts: readonly string[]): Float32Array | Promise<Float32Array>
  index: VectorIndex
  dimension: number
  rule: HybridRule
}

export interface HybridPrediction {
  label: string
  /** The mixed score of `label`. */
  confidence: number
  /** Every label's mixed score, in the classifier's label order; only when asked for. */
  scores?: number[]
}

export class HybridClassifier {
  constructor(readonly parts: HybridParts) {}

  get labels(): readonly string[] {
    return this.parts.classifier.labels
  }

  /** The classifier's probabilities and the store's neighbours (up to `k`, default the rule's) of each text. */
  async inputs(texts: readonly string[], k = this.parts.rule.k): Promise<{ probabilities: Float64Array; matches: Match[] }[]> {
    const { classifier, index, dimension } = this.parts
    // Without neighbours (weight 0) neither the encoder nor the store is asked.
    const [predictions, vectors] = await Promise.all([classifier.predict(texts, { scores: true }), k > 0 ? this.parts.encode(texts) : new Float32Array(0)])
    const result: { probabilities: Float64Array; matches: Match[] }[] = []
    for (let i = 0; i < texts.length; i++) {
      const prediction = predictions[i]!
      const probabilities = prediction.scores ? Float64Array.from(prediction.scores) : probabilitiesFromTopClass(prediction.label, prediction.confidence, classifier.labels)
      result.push({ probabilities, matches: k > 0 ? await index.query(vectors.slice(i * dimension, (i + 1) * dimension), k) : [] })
    }
    return result
  }

  async predict(texts: readonly string[], options: { scores?: boolean } = {}): Promise<HybridPrediction[]> {
    const { rule } = this.parts
    const labels = this.labels
    // Weight 0 is the classifier alone: the store is not asked.
    const inputs = await this.inputs(texts, rule.weight > 0 ? rule.k : 0)
    return inputs.map((input) => {
      const mixed = hybridScores(input, labels, rule)
      const best = argmax(mixed)
      return { label: labels[best]!, confidence: mixed[best]!, ...(options.scores ? { scores: Array.from(mixed) } : {}) }
    })
  }
}
