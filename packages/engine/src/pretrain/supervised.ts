/**
 * Supervised intent pretraining (IntentBERT, Zhang et al. 2021): a backbone already
 * pretrained with MLM goes on training on a *different* labelled intent set (NLU++ banking,
 * multi-label) before it is adapted to the target task, so that its sentence vectors learn
 * what makes two banking messages the same request. A temporary head reads the pooled
 * sentence vector; after training the head is dropped and only the encoder (with the MLM
 * head it came with, so that it stays a BertForMaskedLM that `mlm-pretrain` can continue)
 * is kept. Objectives, weighted and summed:
 *
 * - `classification_weight`: multi-label sigmoid cross-entropy (BCE) of a linear head over
 *   every label, summed over the labels and averaged over the batch;
 * - `supcon_weight`: a supervised contrastive loss (Khosla et al. 2020, L_out): messages
 *   that share an intent are positives, weighted by the Jaccard overlap of their intent
 *   sets (which is plain SupCon for single-label data), the rest of the batch negatives;
 * - `mlm_weight`: masked-language modelling on the same texts beside it (IntentBERT's
 *   guard against forgetting).
 *
 * scripts/build-base-model.ts runs it as the optional third stage of bankbench-mini
 * (`--supervised-epochs N`). Labels of the target task (Banking77) must never be used.
 */
import * as tf from '@tensorflow/tfjs'
import { seededRandom } from '@bankbench/data'
import { z } from 'zod'
import type { Checkpoint } from '../io/checkpoint'
import type { NamedTensor } from '../io/safetensors'
import { fromTensor } from '../io/tensors'
import { encoderConfigToJson, parseEncoderConfig } from '../models/config'
import type { Pooling } from '../models/config'
import { dense } from '../models/layers'
import { createParameters, linearModule } from '../models/parameters'
import { createSequenceClassifier } from '../models/sequence-classifier'
import { Tokenizer } from '../tokenizer'
import type { EvaluationMetrics } from '../train/checkpoint'
import { deriveSeed } from '../train/seeds'
import { train } from '../train/trainer'
import type { TrainOptions, TrainResult, TrainingTask } from '../train/trainer'
import { IGNORED_LABEL, maskTokens } from './masking'
import { encoderParameters, maskingOptions, mlmHeadModules, mlmLogits } from './mlm'
import type { PretrainResult } from './mlm'

/** A text and every intent it carries (none is allowed: it is then a negative for every label). */
export interface LabelledText {
  text: string
  labels: readonly string[]
}

export const supervisedSettingsSchema = z.strictObject({
  learning_rate: z.number().positive().max(1).default(5e-4).describe('Peak learning rate of AdamW.'),
  batch_size: z.number().int().positive().max(1024).default(32).describe('Texts per step.'),
  warmup_ratio: z.number().min(0).max(1).default(0.06).describe('Share of the steps over which the learning rate warms up from 0 (then linear decay).'),
  weight_decay: z.number().min(0).max(1).default(0.01).describe('AdamW weight decay (not on biases and norms).'),
  max_length: z.number().int().positive().max(512).default(64).describe('Longest text in tokens, special tokens included (capped at the model\'s positions).'),
  classification_weight: z.number().min(0).max(100).default(1).describe(
    'Weight of the multi-label sigmoid cross-entropy of a temporary linear head over the pooled sentence vector (dropped afterwards).'),
  supcon_weight: z.number().min(0).max(100).default(0).describe(
    'Weight of the supervised contrastive loss: texts sharing an intent are positives (Jaccard-weighted), the rest of the batch negatives.'),
  supcon_temperature: z.number().positive().max(10).default(0.1).describe('Softmax temperature of the supervised contrastive loss over cosine similarities (SupCon: 0.1).'),
  mlm_weight: z.number().min(0).max(100).default(1).describe('Weight of masked-language modelling on the same texts, kept on the side against forgetting (0: none).'),
  mask_probability: z.number().gt(0).lt(1).default(0.15).describe('Share of the tokens masked for the MLM term.'),
}).refine((settings) => settings.classification_weight + settings.supcon_weight > 0,
  { message: 'a supervised stage needs classification_weight or supcon_weight above 0', path: ['classification_weight'] })

export type SupervisedSettings = z.output<typeof supervisedSettingsSchema>

export const SUPERVISED_DEFAULTS: SupervisedSettings = supervisedSettingsSchema.parse({})

export interface SupervisedPretrainOptions extends Pick<TrainOptions, 'epochs' | 'seed' | 'signal' | 'onStep' | 'saveCheckpoint' | 'loadCheckpoint' | 'checkpointEverySteps'> {
  /** The pretrained BERT to go on from: its vocabulary, shape and weights. */
  from: Checkpoint
  /** Held-out labelled texts (the same label set): the supervised loss each epoch picks the epoch kept. */
  validation?: readonly LabelledText[]
  log?: (message: string) => void
  onEpoch?: TrainOptions['onEpoch']
  /** Called after each epoch with the weights as they are then, in the final checkpoint's layout (no head). */
  onEpochCheckpoint?: (checkpoint: Checkpoint, epoch: number) => void | Promise<void>
}

export interface SupervisedPretrainResult extends PretrainResult {
  /** The label set the temporary head was trained on, in its row order. */
  labels: string[]
}

/** Purposes for `deriveSeed` (distinct from mlm.ts's, which are keyed the same way). */
const MASKING = 11
const DROPOUT = 12
const MASKED_DROPOUT = 13
const HEAD_INITIALISATION = 14
const MLM_HEAD_INITIALISATION = 15

interface Example {
  text: string
  labels: readonly string[]
  tokens: number
}

/** Prefix of the temporary intent head's parameters: never written to a checkpoint. */
export const INTENT_HEAD = 'intent_head'

/**
 * The supervised stage on `trainExamples`, continued from `options.from`. Returns a
 * BertForMaskedLM checkpoint that holds the same tensor names as `from` (encoder, and its
 * MLM head when it had one): the intent head is dropped.
 */
export async function supervisedPretrainBackbone(trainExamples: readonly LabelledText[], hyperparameters: Partial<SupervisedSettings>, options: SupervisedPretrainOptions): Promise<SupervisedPretrainResult> {
  const settings = supervisedSettingsSchema.parse(hyperparameters)
  const { from } = options
  if (!from.tokenizer) throw new Error('supervised pretraining: the base model has no tokenizer.json')
  const tokenizer = Tokenizer.fromJSON(from.tokenizer)
  const config = parseEncoderConfig(from.config)
  const masking = maskingOptions(tokenizer, config, settings.mask_probability)
  const maxLength = Math.min(settings.max_length, config.maxPositionEmbeddings)
  const seed = options.seed ?? 42
  const labels = [...new Set(trainExamples.flatMap((example) => example.labels))].sort()
  if (labels.length === 0) throw new Error('supervised pretraining: the training examples carry no labels')
  const labelIndex = new Map(labels.map((label, index) => [label, index]))
  // 'model' would read BERT's pooler, which MLM never trained and the checkpoint does not keep.
  const pooling: Pooling = config.classifierPooling === 'cls' ? 'cls' : 'mean'
  options.log?.(`supervised intent pretraining of a ${config.numHiddenLayers}-layer, hidden-${config.hiddenSize} BERT on ${trainExamples.length} texts, ` +
    `${labels.length} labels, for ${options.epochs} epochs (classification ${settings.classification_weight}, supcon ${settings.supcon_weight}, mlm ${settings.mlm_weight})`)

  const model = createSequenceClassifier(config, from.weights, { seed })
  const hadMlmHead = from.weights.has('cls.predictions.bias')
  const mlmHead = createParameters(mlmHeadModules(config), 'bert', config.initializerRange, from.weights, deriveSeed(seed, MLM_HEAD_INITIALISATION)).parameters
  const intentHead = createParameters([linearModule(INTENT_HEAD, config.hiddenSize, labels.length)], 'bert', config.initializerRange, undefined, deriveSeed(seed, HEAD_INITIALISATION)).parameters
  try {
    const encoder = encoderParameters(model)
    const variables = new Map([
      ...encoder,
      ...(settings.mlm_weight > 0 ? mlmHead : []),
      ...(settings.classification_weight > 0 ? intentHead : []),
    ])
    const toExample = (example: LabelledText): Example => ({ ...example, tokens: Math.min(tokenizer.encode(example.text).length, maxLength) })
    const examples = trainExamples.filter((example) => example.text.trim() !== '').map(toExample)
    const validation = options.validation?.filter((example) => example.text.trim() !== '').map(toExample)
    const targetsOf = (batch: readonly LabelledText[]): tf.Tensor2D => {
      const values = new Float32Array(batch.length * labels.length)
      batch.forEach((example, row) => {
        for (const label of example.labels) {
          const column = labelIndex.get(label)
          // A validation label the training set never had has no row in the head: it is left out.
          if (column !== undefined) values[row * labels.length + column] = 1
        }
      })
      return tf.tensor2d(values, [batch.length, labels.length])
    }

    /** The supervised terms over the plain texts (one forward pass), each unweighted. */
    const supervisedTerms = (batch: readonly LabelledText[], forward: { training: boolean; seed: number }) => {
      const encoded = tokenizer.encodeBatch(batch.map((example) => example.text), { maxLength })
      const shape: [number, number] = [encoded.batchSize, encoded.sequenceLength]
      const { pooled } = model.encode({ inputIds: tf.tensor2d(encoded.inputIds, shape, 'int32'), attentionMask: tf.tensor2d(encoded.attentionMask, shape, 'int32') }, { ...forward, pooling })
      const targets = targetsOf(batch)
      const logits = settings.classification_weight > 0
        ? dense(pooled, intentHead.get(`${INTENT_HEAD}.weight`)!, intentHead.get(`${INTENT_HEAD}.bias`)!) as tf.Tensor2D
        : null
      const classification = logits && multiLabelLoss(logits, targets)
      const supcon = settings.supcon_weight > 0 ? supervisedContrastiveLoss(pooled, targets, settings.supcon_temperature) : null
      return { classification, supcon, logits, targets }
    }
    const weightedSupervised = (terms: ReturnType<typeof supervisedTerms>): tf.Scalar => {
      let loss = tf.scalar(0)
      if (terms.classification) loss = loss.add(terms.classification.mul(settings.classification_weight))
      if (terms.supcon) loss = loss.add(terms.supcon.mul(settings.supcon_weight))
      return loss
    }

    const maskedLoss = (texts: string[], step: number): tf.Scalar | null => {
      const encoded = tokenizer.encodeBatch(texts, { maxLength })
      const { inputIds, labels: maskedLabels } = maskTokens(encoded, masking, seededRandom(deriveSeed(seed, step, MASKING)))
      const positions = [...maskedLabels.keys()].filter((position) => maskedLabels[position] !== IGNORED_LABEL)
      if (positions.length === 0) return null
      const shape: [number, number] = [encoded.batchSize, encoded.sequenceLength]
      const { lastHiddenState } = model.encode({ inputIds: tf.tensor2d(inputIds, shape, 'int32'), attentionMask: tf.tensor2d(encoded.attentionMask, shape, 'int32') },
        { training: true, seed: deriveSeed(seed, step, MASKED_DROPOUT), pooling: 'mean' })
      const hidden = tf.gather(lastHiddenState.reshape([-1, config.hiddenSize]), tf.tensor1d(positions, 'int32'))
      const logits = mlmLogits(model, mlmHead, hidden as tf.Tensor2D)
      const targets = tf.tensor1d(positions.map((position) => maskedLabels[position]!), 'int32')
      return tf.losses.softmaxCrossEntropy(tf.oneHot(targets, config.vocabSize), logits) as tf.Scalar
    }

    const task: TrainingTask<Example> = {
      variables,
      trainExamples: examples,
      exampleLength: (example) => example.tokens,
      loss: (batch, { training, step }) => tf.tidy(() => {
        const supervised = weightedSupervised(supervisedTerms(batch, { training, seed: deriveSeed(seed, step, DROPOUT) }))
        const mlm = settings.mlm_weight > 0 ? maskedLoss(batch.map((example) => example.text), step) : null
        return mlm ? supervised.add(mlm.mul(settings.mlm_weight)) as tf.Scalar : supervised
      }),
      evaluate: validation && validation.length > 0 ? () => evaluate(validation) : undefined,
    }

    /** The weighted supervised loss (no MLM: its masks are random) and, with the head, micro-F1 at 0.5 as `accuracy`. */
    async function evaluate(texts: readonly Example[]): Promise<EvaluationMetrics> {
      let lossSum = 0
      let truePositives = 0
      let predicted = 0
      let actual = 0
      for (let start = 0; start < texts.length; start += settings.batch_size) {
        const batch = texts.slice(start, start + settings.batch_size)
        const [loss, hits, guesses, golds] = tf.tidy(() => {
          const terms = supervisedTerms(batch, { training: false, seed: 0 })
          if (!terms.logits) return [weightedSupervised(terms), tf.scalar(0), tf.scalar(0), tf.scalar(0)] as const
          const guessed = terms.logits.greater(0).toFloat()
          return [weightedSupervised(terms), guessed.mul(terms.targets).sum(), guessed.sum(), terms.targets.sum()] as const
        })
        const values = await Promise.all([loss, hits, guesses, golds].map(async (tensor) => (await tensor.data())[0]!))
        tf.dispose([loss, hits, guesses, golds])
        lossSum += values[0]! * batch.length
        truePositives += values[1]!
        predicted += values[2]!
        actual += values[3]!
      }
      const microF1 = predicted + actual === 0 ? 0 : (2 * truePositives) / (predicted + actual)
      return { loss: lossSum / Math.max(1, texts.length), accuracy: microF1, microF1 }
    }

    const kept = new Map([...encoder, ...(hadMlmHead || settings.mlm_weight > 0 ? mlmHead : [])])
    const toCheckpoint = (): Checkpoint => ({
      config: { ...encoderConfigToJson(config), architectures: ['BertForMaskedLM'] },
      weights: new Map<string, NamedTensor>([...kept].map(([name, variable]) => fromTensor(name, variable))),
      tokenizer: tokenizer.toJSON(),
      tokenizerConfig: null,
    })
    const { log: _log, from: _from, validation: _validation, onEpochCheckpoint, ...trainerOptions } = options
    const training: TrainResult = await train(task, {
      ...trainerOptions,
      batchSize: settings.batch_size,
      learningRate: settings.learning_rate,
      warmupRatio: settings.warmup_ratio,
      weightDecay: settings.weight_decay,
      seed,
      onEpoch: async (record) => {
        await onEpochCheckpoint?.(toCheckpoint(), record.epoch)
        await options.onEpoch?.(record)
      },
      metricForBest: 'loss',
      evalEvery: task.evaluate ? 'epoch' : 'never',
    })
    return { checkpoint: toCheckpoint(), training, labels }
  } finally {
    model.dispose()
    tf.dispose([...mlmHead.values(), ...intentHead.values()])
  }
}

/**
 * Multi-label sigmoid cross-entropy, summed over the labels and averaged over the texts:
 * max(x, 0) - x·z + log(1 + e^-|x|) a cell, the numerically stable form of -z·log σ(x) - (1-z)·log(1-σ(x)).
 * Summed over labels, not averaged: the mean over 48 labels, two of them positive a text, gave the
 * encoder a fiftieth of the signal, and after 5 epochs on NLU++ the head still predicted no intent at all.
 */
export function multiLabelLoss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => logits.relu().sub(logits.mul(targets)).add(logits.abs().neg().exp().log1p()).sum(1).mean() as tf.Scalar)
}

/**
 * Supervised contrastive loss (Khosla et al. 2020, L_out) for multi-label targets [batch, labels]:
 * for each anchor i, -Σ_p w_ip · log( exp(s_ip/τ) / Σ_{a≠i} exp(s_ia/τ) ) / Σ_p w_ip, with s the
 * cosine similarity and w_ip the Jaccard overlap of the two texts' label sets (p ≠ i); the mean
 * over the anchors that have a positive in the batch (0 when none has).
 */
export function supervisedContrastiveLoss(vectors: tf.Tensor2D, targets: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const count = vectors.shape[0]
    const unit = vectors.div(vectors.square().sum(1, true).add(1e-12).sqrt())
    const offDiagonal = tf.onesLike(tf.eye(count)).sub(tf.eye(count))
    // The anchor itself is neither a positive nor in the denominator: a large negative logit removes it.
    const similarities = tf.matMul(unit, unit, false, true).div(temperature).add(tf.eye(count).mul(-1e9))
    const logProbabilities = similarities.sub(similarities.logSumExp(1, true))
    const shared = tf.matMul(targets, targets, false, true)
    const sizes = targets.sum(1)
    const union = sizes.expandDims(1).add(sizes.expandDims(0)).sub(shared)
    const weights = shared.div(union.maximum(1e-12)).mul(offDiagonal)
    const weightSums = weights.sum(1)
    const hasPositive = weightSums.greater(0).toFloat()
    const anchorLoss = weights.mul(logProbabilities.mul(offDiagonal)).sum(1).neg().div(weightSums.maximum(1e-12))
    return anchorLoss.mul(hasPositive).sum().div(hasPositive.sum().maximum(1)) as tf.Scalar
  })
}
