/**
 * A trained sequence classifier with its tokenizer and labels: texts in, intents
 * out. What a train job evaluates and what the inference endpoint serves.
 */
import * as tf from '@tensorflow/tfjs'
import type { SequenceClassifier } from '../models'
import type { Tokenizer } from '../tokenizer'
import { batchInputs, encodeText } from './encoded-examples'

export interface IntentPrediction {
  label: string
  /** Softmax probability of `label` (a multi-label classifier's: its sigmoid, the highest of all labels). */
  confidence: number
  /** Probability of every label, in label order; only when asked for (sigmoids for a multi-label classifier). */
  scores?: number[]
  /** A multi-label classifier's answer: every label whose sigmoid exceeds its threshold, in label order, zero or more. */
  labels?: string[]
}

/**
 * How a multi-label classifier (fineTuneMultiLabelClassifier) decides: a sigmoid per label, and
 * every label above one threshold, tuned on validation, so it travels with the saved weights.
 */
export interface MultiLabelDecision {
  threshold: number
}

export interface PredictOptions {
  /** Texts per forward pass. Default 32. */
  batchSize?: number
  /** Include every label's probability. Default false. */
  scores?: boolean
}

export class IntentClassifier {
  constructor(
    readonly model: SequenceClassifier,
    readonly tokenizer: Tokenizer,
    /** Longest input in tokens (special tokens included); longer texts are truncated as in training. */
    readonly maxLength: number,
    /** Set for a multi-label classifier: predict answers label sets at its threshold; null, one softmax argmax per text. */
    readonly multiLabel: MultiLabelDecision | null = null,
  ) {}

  get labels(): readonly string[] {
    return this.model.config.id2label
  }

  predict(texts: readonly string[], { batchSize = 32, scores = false }: PredictOptions = {}): IntentPrediction[] {
    if (this.multiLabel) return this.predictMultiLabel(texts, this.multiLabel, { batchSize, scores })
    const predictions: IntentPrediction[] = []
    const labels = this.labels
    for (let start = 0; start < texts.length; start += batchSize) {
      const rows = texts.slice(start, start + batchSize).map((text) => encodeText(this.tokenizer, text, this.maxLength))
      const probabilities = tf.tidy(() => tf.softmax(this.model.forward(batchInputs(rows, this.tokenizer.padTokenId), { training: false })))
      const values = probabilities.dataSync() as Float32Array
      probabilities.dispose()
      rows.forEach((_, row) => {
        const rowValues = values.subarray(row * labels.length, (row + 1) * labels.length)
        let best = 0
        for (let index = 1; index < rowValues.length; index++) if (rowValues[index]! > rowValues[best]!) best = index
        predictions.push({ label: labels[best]!, confidence: rowValues[best]!, ...(scores ? { scores: [...rowValues] } : {}) })
      })
    }
    return predictions
  }

  /** Each label's sigmoid probability per text, in label order: a multi-label classifier's (fineTuneMultiLabelClassifier) scores. */
  labelProbabilities(texts: readonly string[], { batchSize = 32 }: { batchSize?: number } = {}): Float32Array[] {
    const width = this.labels.length
    const rows: Float32Array[] = []
    for (let start = 0; start < texts.length; start += batchSize) {
      const encoded = texts.slice(start, start + batchSize).map((text) => encodeText(this.tokenizer, text, this.maxLength))
      const probabilities = tf.tidy(() => tf.sigmoid(this.model.forward(batchInputs(encoded, this.tokenizer.padTokenId), { training: false })))
      const values = probabilities.dataSync() as Float32Array
      probabilities.dispose()
      encoded.forEach((_, row) => rows.push(values.slice(row * width, (row + 1) * width)))
    }
    return rows
  }

  /** A multi-label classifier's labels per text: every label whose sigmoid exceeds `threshold`, zero or more, in label order. */
  predictLabelSets(texts: readonly string[], { batchSize = 32, threshold = 0.5 }: { batchSize?: number; threshold?: number } = {}): string[][] {
    return this.labelProbabilities(texts, { batchSize }).map((row) => this.labels.filter((_, index) => row[index]! > threshold))
  }

  /** `label` and `confidence` are the most probable label's (what a single-intent caller reads); `labels` is the answer. */
  private predictMultiLabel(texts: readonly string[], { threshold }: MultiLabelDecision, { batchSize, scores }: Required<PredictOptions>): IntentPrediction[] {
    const labels = this.labels
    return this.labelProbabilities(texts, { batchSize }).map((row) => {
      let best = 0
      for (let index = 1; index < row.length; index++) if (row[index]! > row[best]!) best = index
      return {
        label: labels[best]!, confidence: row[best]!, labels: labels.filter((_, index) => row[index]! > threshold), ...(scores ? { scores: [...row] } : {}),
      }
    })
  }

  dispose(): void {
    this.model.dispose()
  }
}
