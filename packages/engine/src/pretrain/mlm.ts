/**
 * Masked-language-model pretraining of a BERT encoder from scratch (or from a
 * checkpoint), with the trainer in ../train. The result is a `BertForMaskedLM`
 * checkpoint in HF layout: the encoder under `bert.` (no pooler, as HF's MLM model
 * has none) and the MLM head under `cls.predictions.`, whose decoder is tied to the
 * word embeddings and therefore not stored (HF re-ties it on load).
 */
import * as tf from '@tensorflow/tfjs'
import { seededRandom } from '@bankbench/data'
import type { Checkpoint } from '../io/checkpoint'
import type { NamedTensor } from '../io/safetensors'
import { fromTensor } from '../io/tensors'
import { encoderConfigToJson } from '../models/config'
import type { EncoderConfig } from '../models/config'
import { activation, dense, layerNorm } from '../models/layers'
import { createParameters, layerNormModule, linearModule } from '../models/parameters'
import type { ModuleSpec } from '../models/parameters'
import { createSequenceClassifier } from '../models/sequence-classifier'
import type { SequenceClassifier } from '../models/sequence-classifier'
import type { Tokenizer } from '../tokenizer'
import type { EvaluationMetrics } from '../train/checkpoint'
import { deriveSeed } from '../train/seeds'
import { train } from '../train/trainer'
import type { TrainOptions, TrainResult, TrainingTask } from '../train/trainer'
import { IGNORED_LABEL, maskTokens } from './masking'
import type { MaskingOptions } from './masking'

export interface PretrainOptions extends Omit<TrainOptions, 'metricForBest' | 'evalEvery'> {
  tokenizer: Tokenizer
  /** A BERT config; its vocabulary must cover the tokenizer's. */
  modelConfig: EncoderConfig
  /** Longest sequence in tokens, special tokens included. Default 128. */
  maxLength?: number
  /** Default 0.15 (BERT). */
  maskProbability?: number
  /**
   * Weight of a SimCSE-style contrastive term added to the MLM loss (0, the default: MLM
   * alone). Each text's mean-pooled vector from its masked input should be nearer the vector
   * of the same text unmasked (another dropout mask) than any other text's in the batch.
   */
  contrastiveWeight?: number
  /** Temperature of the contrastive term's softmax over cosine similarities. Default 0.05 (SimCSE). */
  contrastiveTemperature?: number
  /** Held-out text: evaluated each epoch (masked-token loss and accuracy), the best epoch kept. */
  validationTexts?: readonly string[]
  /** Continue from these weights (a BertForMaskedLM or BertModel checkpoint) instead of a random start. */
  initialWeights?: Map<string, NamedTensor>
  /**
   * Called after each epoch with the weights as they are then (not the best epoch's), in the
   * layout of the final checkpoint: a long pretraining can be fine-tuned from mid-way.
   */
  onEpochCheckpoint?: (checkpoint: Checkpoint, epoch: number) => void | Promise<void>
}

export interface PretrainResult {
  /** config.json (architectures: BertForMaskedLM), weights and tokenizer, ready for io's `saveCheckpoint`. */
  checkpoint: Checkpoint
  training: TrainResult
}

interface PretrainExample {
  text: string
  tokens: number
}

/** Purposes for `deriveSeed`: each step's masking and dropout are keyed by the step, so a resumed run repeats them. */
const MASKING = 1
const DROPOUT = 2
const VALIDATION_MASKING = 3
const HEAD_INITIALISATION = 4
const CONTRASTIVE_DROPOUT = 5

export async function pretrain(corpus: readonly string[], options: PretrainOptions): Promise<PretrainResult> {
  const { tokenizer, modelConfig: config } = options
  const maxLength = options.maxLength ?? 128
  const seed = options.seed ?? 42
  const masking = maskingOptions(tokenizer, config, options.maskProbability)
  const contrastiveWeight = options.contrastiveWeight ?? 0
  const contrastiveTemperature = options.contrastiveTemperature ?? 0.05
  if (maxLength > config.maxPositionEmbeddings) {
    throw new Error(`pretrain: maxLength ${maxLength} exceeds the model's ${config.maxPositionEmbeddings} position embeddings`)
  }

  const model = createSequenceClassifier(config, options.initialWeights, { seed })
  const head = createParameters(mlmHeadModules(config), 'bert', config.initializerRange, options.initialWeights, deriveSeed(seed, HEAD_INITIALISATION)).parameters
  try {
    const variables = new Map([...encoderParameters(model), ...head])
    const toExample = (text: string): PretrainExample => ({ text, tokens: Math.min(tokenizer.encode(text).length, maxLength) })
    const examples = corpus.filter((text) => text.trim() !== '').map(toExample)

    /** Mean loss and correct predictions over the masked tokens of a batch. */
    const maskedPredictions = (texts: string[], maskingSeed: number, forward: { training: boolean; seed: number }) => {
      const batch = tokenizer.encodeBatch(texts, { maxLength })
      const { inputIds, labels } = maskTokens(batch, masking, seededRandom(maskingSeed))
      const positions = [...labels.keys()].filter((position) => labels[position] !== IGNORED_LABEL)
      const targets = tf.tensor1d(positions.map((position) => labels[position]!), 'int32')
      const shape: [number, number] = [batch.batchSize, batch.sequenceLength]
      const attentionMask = tf.tensor2d(batch.attentionMask, shape, 'int32')
      const { lastHiddenState, pooled } = model.encode({ inputIds: tf.tensor2d(inputIds, shape, 'int32'), attentionMask }, { ...forward, pooling: 'mean' })
      // Only the chosen positions go through the vocabulary projection: the loss ignores the rest.
      const hidden = tf.gather(lastHiddenState.reshape([-1, config.hiddenSize]), tf.tensor1d(positions, 'int32'))
      const logits = mlmLogits(model, head, hidden as tf.Tensor2D)
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(targets, config.vocabSize), logits) as tf.Scalar
      return { loss, logits, targets, count: positions.length, pooled, attentionMask, shape, batch }
    }

    /** MLM, plus the contrastive term when it has a weight: the plain texts are the second view. */
    const trainingLoss = (texts: string[], step: number, training: boolean): tf.Scalar => {
      const masked = maskedPredictions(texts, deriveSeed(seed, step, MASKING), { training, seed: deriveSeed(seed, step, DROPOUT) })
      if (contrastiveWeight === 0 || texts.length < 2) return masked.loss
      const inputIds = tf.tensor2d(masked.batch.inputIds, masked.shape, 'int32')
      const plain = model.encode({ inputIds, attentionMask: masked.attentionMask }, { training, seed: deriveSeed(seed, step, CONTRASTIVE_DROPOUT), pooling: 'mean' }).pooled
      return masked.loss.add(contrastiveLoss(masked.pooled, plain, contrastiveTemperature).mul(contrastiveWeight)) as tf.Scalar
    }

    const task: TrainingTask<PretrainExample> = {
      variables,
      trainExamples: examples,
      exampleLength: (example) => example.tokens,
      loss: (batch, { training, step }) => tf.tidy(() => trainingLoss(batch.map((example) => example.text), step, training)),
      evaluate: options.validationTexts && (() => evaluate(options.validationTexts!)),
    }

    async function evaluate(texts: readonly string[]): Promise<EvaluationMetrics> {
      let lossSum = 0
      let correct = 0
      let total = 0
      for (let start = 0; start < texts.length; start += options.batchSize) {
        const batchTexts = texts.slice(start, start + options.batchSize)
        // Fixed masks per batch, so that every epoch is scored on the same questions.
        const [loss, hits, count] = tf.tidy(() => {
          const result = maskedPredictions(batchTexts, deriveSeed(seed, start, VALIDATION_MASKING), { training: false, seed: 0 })
          const hitCount = result.logits.argMax(1).equal(result.targets).sum()
          return [result.loss.mul(result.count), hitCount, result.count] as const
        })
        lossSum += (await loss.data())[0]!
        correct += (await hits.data())[0]!
        total += count
        tf.dispose([loss, hits])
      }
      return { loss: lossSum / Math.max(1, total), accuracy: correct / Math.max(1, total) }
    }

    const toCheckpoint = (): Checkpoint => ({
      config: { ...encoderConfigToJson(config), architectures: ['BertForMaskedLM'] },
      weights: new Map([...variables].map(([name, variable]) => fromTensor(name, variable))),
      tokenizer: tokenizer.toJSON(),
      tokenizerConfig: null,
    })
    const training = await train(task, {
      ...options,
      onEpoch: async (record) => {
        await options.onEpochCheckpoint?.(toCheckpoint(), record.epoch)
        await options.onEpoch?.(record)
      },
      seed,
      metricForBest: 'loss',
      evalEvery: options.validationTexts ? 'epoch' : 'never',
    })
    return { checkpoint: toCheckpoint(), training }
  } finally {
    model.dispose()
    tf.dispose([...head.values()])
  }
}

/**
 * InfoNCE over a batch (SimCSE, Gao et al. 2021, eq. 1): row i of `anchors` should be most
 * similar (cosine / temperature) to row i of `positives`; the other rows are its negatives.
 */
export function contrastiveLoss(anchors: tf.Tensor2D, positives: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const unit = (vectors: tf.Tensor2D) => vectors.div(vectors.square().sum(1, true).add(1e-12).sqrt())
    const similarities = tf.matMul(unit(anchors), unit(positives), false, true).div(temperature)
    const count = anchors.shape[0]
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.range(0, count, 1, 'int32'), count), similarities) as tf.Scalar
  })
}

/**
 * BertOnlyMLMHead: transform (dense → activation → LayerNorm) then the decoder,
 * whose weight is the word-embedding table and whose bias is `cls.predictions.bias`.
 */
export function mlmHeadModules(config: EncoderConfig): ModuleSpec[] {
  return [
    linearModule('cls.predictions.transform.dense', config.hiddenSize, config.hiddenSize),
    layerNormModule('cls.predictions.transform.LayerNorm', config.hiddenSize),
    { name: 'cls.predictions.decoder', kind: 'linear', parameters: [{ name: 'cls.predictions.bias', shape: [config.vocabSize], init: 'zeros' }] },
  ]
}

export function mlmLogits(model: SequenceClassifier<EncoderConfig>, head: Map<string, tf.Variable>, hidden: tf.Tensor2D): tf.Tensor2D {
  const weight = (name: string): tf.Variable => head.get(name)!
  const transformed = layerNorm(
    activation(model.config.hiddenAct, dense(hidden, weight('cls.predictions.transform.dense.weight'), weight('cls.predictions.transform.dense.bias'))),
    weight('cls.predictions.transform.LayerNorm.weight'),
    weight('cls.predictions.transform.LayerNorm.bias'),
    model.config.layerNormEps,
  )
  return dense(transformed, model.weight('bert.embeddings.word_embeddings.weight'), weight('cls.predictions.bias')) as tf.Tensor2D
}

/** The encoder's parameters: BertForMaskedLM has no pooler, and the classifier head is not pretrained. */
export function encoderParameters(model: SequenceClassifier): Map<string, tf.Variable> {
  return new Map([...model.parameters].filter(([name]) => name.startsWith('bert.') && !name.startsWith('bert.pooler.')))
}

export function maskingOptions(tokenizer: Tokenizer, config: EncoderConfig, probability: number | undefined): MaskingOptions {
  if (config.modelType !== 'bert') throw new Error(`pretrain: only BERT encoders are supported (BertForMaskedLM), got ${config.modelType}`)
  if (tokenizer.maskTokenId === null) throw new Error('pretrain: the tokenizer has no [MASK] token')
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new Error(`pretrain: the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocab_size is ${config.vocabSize}`)
  }
  const specialTokenIds = [tokenizer.padTokenId, tokenizer.clsTokenId, tokenizer.sepTokenId].filter((id): id is number => id !== null)
  return { maskTokenId: tokenizer.maskTokenId, vocabSize: tokenizer.vocabSize, specialTokenIds, probability }
}
