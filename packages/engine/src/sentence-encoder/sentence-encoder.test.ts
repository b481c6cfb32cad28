import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import type { Checkpoint } from '../io/checkpoint'
import { parseEncoderConfig } from '../models'
import { pretrain } from '../pretrain'
import { Tokenizer, trainWordPiece } from '../tokenizer'
import { SentenceEncoder } from './sentence-encoder'

const TEXTS = ['I lost my card', 'what is my balance please', 'send money', 'euro to dollar rate today for my trip', 'card']

let base: Checkpoint
beforeAll(async () => {
  await initBackend()
  const tokenizer = Tokenizer.fromJSON(trainWordPiece(TEXTS, { vocabSize: 80, minFrequency: 1 }))
  const modelConfig = parseEncoderConfig({
    model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2,
    intermediate_size: 32, max_position_embeddings: 32, initializer_range: 0.2,
  })
  base = (await pretrain(TEXTS, { tokenizer, modelConfig, epochs: 0, batchSize: 8, learningRate: 1e-3, seed: 3, maxLength: 16 })).checkpoint
})

describe('SentenceEncoder', () => {
  it('gives each text the same vector whatever batch it is in and in the order given', () => {
    const encoder = SentenceEncoder.fromCheckpoint(base, { maxLength: 16, batchSize: 2 })
    try {
      const together = encoder.embed(TEXTS)
      expect([together.rows, together.columns]).toEqual([TEXTS.length, 16])
      TEXTS.forEach((text, row) => {
        const alone = encoder.embed([text]).values
        const inBatch = together.values.subarray(row * 16, (row + 1) * 16)
        alone.forEach((value, column) => expect(inBatch[column]).toBeCloseTo(value, 5))
      })
      // Different texts, different vectors: the pooling reads the text, not only the padding.
      expect(Array.from(together.values.subarray(0, 16))).not.toEqual(Array.from(together.values.subarray(16, 32)))
    } finally {
      encoder.dispose()
    }
  })

  it('counts the parameters it loaded from the checkpoint, and frees every tensor it made', () => {
    const before = tf.memory().numTensors
    const encoder = SentenceEncoder.fromCheckpoint(base, { maxLength: 64, batchSize: 8 })
    encoder.embed(TEXTS)
    // A pretrain checkpoint: the encoder, which is loaded, and the MLM head (`cls.*`), which is not.
    const encoderParameters = [...base.weights].filter(([name]) => !name.startsWith('cls.'))
      .reduce((sum, [, tensor]) => sum + tensor.shape.reduce((product, size) => product * size, 1), 0)
    expect(encoder.parameterCount).toBe(encoderParameters)
    expect(encoder.maxLength).toBe(32)
    encoder.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('draws Monte-Carlo dropout samples through the encoder: seeded, reproducible, distinct per seed, off without a seed', () => {
    const encoder = SentenceEncoder.fromCheckpoint(base, { maxLength: 16, batchSize: 2 })
    try {
      expect(encoder.dropoutRates).toEqual({ hidden: 0.1, attention: 0.1 })
      const plain = encoder.embed(TEXTS).values
      const first = encoder.embed(TEXTS, { dropoutSeed: 1 }).values
      expect(Array.from(encoder.embed(TEXTS, { dropoutSeed: 1 }).values)).toEqual(Array.from(first))
      const second = encoder.embed(TEXTS, { dropoutSeed: 2 }).values
      const differs = (left: Float32Array, right: Float32Array) => left.some((value, index) => Math.abs(value - right[index]!) > 1e-6)
      expect(differs(first, plain)).toBe(true)
      expect(differs(first, second)).toBe(true)
      // Every text's vector moves, not only some batches' (each batch draws its own masks).
      for (let row = 0; row < TEXTS.length; row++) expect(differs(first.subarray(row * 16, (row + 1) * 16), second.subarray(row * 16, (row + 1) * 16))).toBe(true)
      expect(Array.from(encoder.embed(TEXTS).values)).toEqual(Array.from(plain))
    } finally {
      encoder.dispose()
    }
  })
})
