import * as tf from '@tensorflow/tfjs'
import { seededRandom } from '@bankbench/data'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import type { EncoderConfig } from '../models/config'
import { createSequenceClassifier } from '../models/sequence-classifier'
import { Tokenizer, trainWordPiece } from '../tokenizer'
import { contrastiveLoss, pretrain } from './mlm'

beforeAll(async () => {
  await initBackend()
})

/** Template sentences: the words are predictable from their neighbours, so an MLM can learn them. */
function bankingSentences(count: number, seed: number): string[] {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const pairs = [
    ['activate', 'card'], ['cancel', 'transfer'], ['top up', 'account'], ['change', 'pin'], ['report', 'stolen phone'],
  ] as const
  const openings = ['how do i', 'i want to', 'can you help me', 'please tell me how to'] as const
  return Array.from({ length: count }, () => {
    const [verb, object] = pick(pairs)
    return `${pick(openings)} ${verb} my ${object} today`
  })
}

function tinyBertConfig(vocabSize: number): EncoderConfig {
  return {
    modelType: 'bert', vocabSize, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 64,
    hiddenAct: 'gelu', maxPositionEmbeddings: 32, typeVocabSize: 2, layerNormEps: 1e-12, hiddenDropoutProb: 0.1,
    attentionProbsDropoutProb: 0.1, classifierDropout: null, initializerRange: 0.02, padTokenId: 0, id2label: ['a', 'b'],
  }
}

describe('pretrain (masked language modelling)', () => {
  const corpus = bankingSentences(160, 1)
  const tokenizer = Tokenizer.fromJSON(trainWordPiece(corpus, { vocabSize: 80 }))
  const config = tinyBertConfig(tokenizer.vocabSize)

  it('lowers the masked-token loss on a tiny corpus and returns a BertForMaskedLM checkpoint', async () => {
    const before = tf.memory().numTensors
    const { checkpoint, training } = await pretrain(corpus, {
      tokenizer, modelConfig: config, maxLength: 24, epochs: 6, batchSize: 16, learningRate: 1e-2, warmupRatio: 0.1,
      weightDecay: 0.01, seed: 7, validationTexts: bankingSentences(48, 2),
    })
    const losses = training.history.map((epoch) => epoch.validation!.loss)
    // Chance is ln(vocabulary) ≈ 4.4; measured on wasm: 3.61 after epoch 1, 2.47 after epoch 6.
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.85)
    expect(training.history.at(-1)!.trainLoss).toBeLessThan(training.history[0]!.trainLoss * 0.7)
    expect(tf.memory().numTensors).toBe(before)

    expect(checkpoint.config.architectures).toEqual(['BertForMaskedLM'])
    const names = [...checkpoint.weights.keys()]
    expect(names).toContain('bert.embeddings.word_embeddings.weight')
    expect(names.filter((name) => name.startsWith('cls.')).sort()).toEqual([
      'cls.predictions.bias',
      'cls.predictions.transform.LayerNorm.bias',
      'cls.predictions.transform.LayerNorm.weight',
      'cls.predictions.transform.dense.bias',
      'cls.predictions.transform.dense.weight',
    ])
    expect(names.some((name) => name.startsWith('bert.pooler.') || name.startsWith('classifier.'))).toBe(false)

    // A classifier built on it takes the whole encoder, initialises only pooler and head, leaves the MLM head unused.
    const classifier = createSequenceClassifier(config, checkpoint.weights, { seed: 1 })
    expect(classifier.loadReport.initialized.sort()).toEqual(['bert.pooler.dense.bias', 'bert.pooler.dense.weight', 'classifier.bias', 'classifier.weight'])
    expect(classifier.loadReport.unused).toHaveLength(5)
    classifier.dispose()
  })

  it('refuses a tokenizer larger than the model vocabulary', async () => {
    await expect(pretrain(corpus, { tokenizer, modelConfig: tinyBertConfig(10), epochs: 1, batchSize: 8, learningRate: 1e-3 }))
      .rejects.toThrow(/vocab_size is 10/)
  })

  it('adds a contrastive sentence objective that makes one text\'s two views nearer each other than other texts', async () => {
    const options = { tokenizer, modelConfig: config, maxLength: 24, epochs: 3, batchSize: 16, learningRate: 1e-2, warmupRatio: 0.1, weightDecay: 0.01, seed: 7 }
    const before = tf.memory().numTensors
    const mlmOnly = await pretrain(corpus, options)
    const withContrast = await pretrain(corpus, { ...options, contrastiveWeight: 1 })
    expect(tf.memory().numTensors).toBe(before)
    // Same masks and dropout, so the first step's MLM part is equal; the contrastive term adds about ln(16) at the start.
    expect(withContrast.training.history[0]!.trainLoss).toBeGreaterThan(mlmOnly.training.history[0]!.trainLoss + 0.5)

    // The trained encoder tells sentences apart: mean-pooled vectors of different texts are less alike than with MLM alone.
    const meanOffDiagonalCosine = (checkpoint: typeof mlmOnly.checkpoint): number => {
      const model = createSequenceClassifier(config, checkpoint.weights, { seed: 1 })
      const texts = [...new Set(corpus)].slice(0, 12)
      const batch = tokenizer.encodeBatch(texts, { maxLength: 24 })
      const shape: [number, number] = [batch.batchSize, batch.sequenceLength]
      const value = tf.tidy(() => {
        const { pooled } = model.encode({ inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'), attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32') }, { training: false, pooling: 'mean' })
        const unit = pooled.div(pooled.square().sum(1, true).sqrt())
        const cosines = tf.matMul(unit, unit, false, true)
        return (cosines.sum().arraySync() as number - texts.length) / (texts.length * (texts.length - 1))
      })
      model.dispose()
      return value
    }
    expect(meanOffDiagonalCosine(withContrast.checkpoint)).toBeLessThan(meanOffDiagonalCosine(mlmOnly.checkpoint) - 0.1)
  })
})

describe('contrastiveLoss (SimCSE InfoNCE)', () => {
  it('is the cross-entropy of each row against its own pair over cosine similarities / temperature', () => {
    const anchors = tf.tensor2d([[1, 0], [0, 2]])
    const positives = tf.tensor2d([[3, 0], [1, 1]])
    const temperature = 0.5
    // Row 0: cosines (1, 0.7071); row 1: (0, 0.7071). Loss = mean of -log softmax(row / t)[i].
    const rowLoss = (own: number, other: number) => -Math.log(Math.exp(own / temperature) / (Math.exp(own / temperature) + Math.exp(other / temperature)))
    const expected = (rowLoss(1, Math.SQRT1_2) + rowLoss(Math.SQRT1_2, 0)) / 2
    expect(contrastiveLoss(anchors, positives, temperature).arraySync()).toBeCloseTo(expected, 5)
    // Scale does not matter (cosine), and gradients flow to both views.
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => contrastiveLoss(a as tf.Tensor2D, b as tf.Tensor2D, temperature))([anchors, positives])
    expect(grads.every((grad) => (grad.abs().sum().arraySync() as number) > 0)).toBe(true)
    tf.dispose([anchors, positives, ...grads])
  })
})
