/**
 * The untuned base model (or a fine-tuned run's model, `fromClassifier`) as a sentence
 * encoder: texts in, the mean of the last hidden states over each text's real tokens out.
 * What the frozen-feature baselines learn on, and the vector stores' model encoders.
 */
import * as tf from '@tensorflow/tfjs'
import { tokenizerOf } from '../fine-tune/fine-tune-classifier'
import type { Checkpoint } from '../io/checkpoint'
import { createSequenceClassifier, parseModelConfig } from '../models'
import type { SequenceClassifier } from '../models'
import type { Tokenizer } from '../tokenizer'
import { deriveSeed } from '../train/seeds'

/** Row-major sentence vectors: row r is values[r*columns .. (r+1)*columns) (the baselines' DenseMatrix). */
export interface SentenceEmbeddings {
  rows: number
  columns: number
  values: Float32Array
}

export interface SentenceEncoderOptions {
  /** Longest input in tokens, special tokens included (capped at the model's position limit). */
  maxLength: number
  /** Texts per forward pass. */
  batchSize: number
}

export interface EmbedOptions {
  /**
   * Monte-Carlo dropout: with a seed, the encoder runs with dropout on (the model's own
   * rates, `dropoutRates`), each batch's masks seeded by (seed, batch), so the same seed
   * gives the same vectors and another seed another sample. Without one, dropout is off.
   */
  dropoutSeed?: number
}

export class SentenceEncoder {
  private constructor(
    private readonly model: SequenceClassifier,
    private readonly tokenizer: Tokenizer,
    readonly maxLength: number,
    private readonly batchSize: number,
  ) {}

  static fromCheckpoint(checkpoint: Checkpoint, options: SentenceEncoderOptions): SentenceEncoder {
    const tokenizer = tokenizerOf(checkpoint)
    const config = parseModelConfig(checkpoint.config)
    // The classification head this builds is never run: encode() stops before it.
    const model = createSequenceClassifier(config, checkpoint.weights, { seed: 0 })
    return new SentenceEncoder(model, tokenizer, Math.min(options.maxLength, config.maxPositionEmbeddings), options.batchSize)
  }

  /**
   * A fine-tuned run's own encoder: the classifier's model (its PEFT weights applied, or
   * merged) mean-pooled, tokenized and truncated as the classifier is. The encoder takes
   * the model over: `dispose` frees it, so the caller must not use the classifier after.
   */
  static fromClassifier(classifier: { model: SequenceClassifier; tokenizer: Tokenizer; maxLength: number }, options: Pick<SentenceEncoderOptions, 'batchSize'>): SentenceEncoder {
    return new SentenceEncoder(classifier.model, classifier.tokenizer, Math.min(classifier.maxLength, classifier.model.config.maxPositionEmbeddings), options.batchSize)
  }

  get dimension(): number {
    return this.model.config.hiddenSize
  }

  /** The dropout the encoder was trained with, and that `embed` applies under a dropout seed. */
  get dropoutRates(): { hidden: number; attention: number } {
    const { config } = this.model
    return config.modelType === 'llama' ? { hidden: 0, attention: config.attentionDropout } : { hidden: config.hiddenDropoutProb, attention: config.attentionProbsDropoutProb }
  }

  /** The base model's parameters: those loaded from the checkpoint (not the new, unused head). */
  get parameterCount(): number {
    const initialized = new Set(this.model.loadReport.initialized)
    let count = 0
    for (const [name, variable] of this.model.parameters) if (!initialized.has(name)) count += variable.size
    return count
  }

  /**
   * One row per text, in the order given. Texts are batched by token length, so that a
   * batch carries little padding; padding is masked out of the mean either way. With
   * `dropoutSeed`, one Monte-Carlo dropout sample of every vector (`EmbedOptions`).
   */
  embed(texts: readonly string[], options: EmbedOptions = {}): SentenceEmbeddings {
    const { dropoutSeed } = options
    const tokenized = texts.map((text, index) => ({ index, length: this.tokenizer.encodeBatch([text], { maxLength: this.maxLength }).inputIds.length }))
    const order = tokenized.sort((left, right) => left.length - right.length || left.index - right.index).map((entry) => entry.index)
    const values = new Float32Array(texts.length * this.dimension)
    for (let start = 0; start < order.length; start += this.batchSize) {
      const rows = order.slice(start, start + this.batchSize)
      const batch = this.tokenizer.encodeBatch(rows.map((row) => texts[row]!), { maxLength: this.maxLength })
      const pooled = tf.tidy(() => {
        const shape: [number, number] = [batch.batchSize, batch.sequenceLength]
        const inputs = { inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'), attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32') }
        const dropout = dropoutSeed === undefined ? { training: false } : { training: true, seed: deriveSeed(dropoutSeed, start) }
        return this.model.encode(inputs, { ...dropout, pooling: 'mean' }).pooled
      })
      const vectors = pooled.dataSync() as Float32Array
      pooled.dispose()
      rows.forEach((row, position) => values.set(vectors.subarray(position * this.dimension, (position + 1) * this.dimension), row * this.dimension))
    }
    return { rows: texts.length, columns: this.dimension, values }
  }

  dispose(): void {
    this.model.dispose()
  }
}
