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
  /** Softmax probability of `label`. */
  confidence: number
  /** Probability of every label, in label order; only when asked for. */
  scores?: number[]
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
  ) {}

  get labels(): readonly string[] {
    return this.model.config.id2label
  }

  predict(texts: readonly string[], { batchSize = 32, scores = false }: PredictOptions = {}): IntentPrediction[] {
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

  dispose(): void {
    this.model.dispose()
  }
}
