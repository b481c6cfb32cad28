/**
 * Fine-tunes a base checkpoint into a slot tagger with one adaptation method, the
 * token-level counterpart of fineTuneClassifier: same PEFT registry, trainer, seeds and
 * checkpointing; the loss is cross-entropy per labelled piece (special tokens and
 * unplaced pieces carry none), and the epoch kept is the one with the best span
 * micro-F1 on validation (accuracy reports the piece-level tag accuracy).
 */
import * as tf from '@tensorflow/tfjs'
import { spanF1 } from '@bankbench/metrics'
import type { EntitySpan } from '@bankbench/metrics'
import type { Checkpoint } from '../io/checkpoint'
import { parseModelConfig } from '../models'
import { applyPeft, peftMethod } from '../peft'
import type { AppliedPeft, PeftMethodName } from '../peft'
import { batchInputs, inputLengthLimit } from '../fine-tune/encoded-examples'
import { tokenizerOf } from '../fine-tune/fine-tune-classifier'
import type { EvaluationMetrics } from '../train/checkpoint'
import { deriveSeed } from '../train/seeds'
import { train } from '../train/trainer'
import type { TrainOptions, TrainResult, TrainingTask } from '../train/trainer'
import { bioTagSet, IGNORED, piecesToTagIds } from './bio-tags'
import { pieceOffsets } from './piece-offsets'
import { createTokenModel, encodeWithSpecials, tokenLogits, TokenClassifier } from './token-classifier'

/** A text and its slots as character spans. */
export interface SpannedText {
  text: string
  spans: readonly EntitySpan[]
}

export interface FineTuneTokenOptions extends Omit<TrainOptions, 'evalEvery' | 'metricForBest'> {
  base: Checkpoint
  /** Slot types; the head's tags are `O` and B-/I- of each (bioTagSet). */
  slotTypes: readonly string[]
  train: readonly SpannedText[]
  validation?: readonly SpannedText[]
  method: PeftMethodName
  peftConfig?: Record<string, unknown>
  /** Default 64 (NLU++'s longest utterance is 37 WordPiece pieces with the shipped tokenizer). */
  maxLength?: number
}

export interface FineTunedTokens {
  tagger: TokenClassifier
  applied: AppliedPeft
  result: TrainResult
  parameterCounts: { trainable: number; total: number; ratio: number }
}

interface EncodedTokens {
  tokenIds: Int32Array
  /** Tag index per position, IGNORED on [CLS], [SEP] and unplaced pieces. */
  labels: Int32Array
}

const DROPOUT = 1

export async function fineTuneTokenClassifier(options: FineTuneTokenOptions): Promise<FineTunedTokens> {
  const seed = options.seed ?? 42
  const tokenizer = tokenizerOf(options.base)
  const tags = bioTagSet(options.slotTypes)
  const model = createTokenModel(parseModelConfig(options.base.config), tags, options.base.weights, seed)
  try {
    const parsed = peftMethod(options.method).configSchema.parse(options.peftConfig ?? {}) as Record<string, unknown>
    const applied = applyPeft(model, options.method, parsed, { seed, tokenizer })
    const maxLength = Math.min(options.maxLength ?? 64, inputLengthLimit(model))
    const tagger = new TokenClassifier(model, tokenizer, maxLength)
    const encode = (example: SpannedText): EncodedTokens => {
      const { ids, offsets } = pieceOffsets(tokenizer, example.text)
      const kept = encodeWithSpecials(tokenizer, ids, offsets, maxLength)
      const pieceLabels = piecesToTagIds(kept.offsets, example.spans, tags)
      return { tokenIds: kept.tokenIds, labels: Int32Array.from([IGNORED, ...pieceLabels, IGNORED]) }
    }
    const trainExamples = options.train.map(encode)

    const task: TrainingTask<EncodedTokens> = {
      variables: new Map([...model.parameters].filter(([, variable]) => variable.trainable)),
      trainExamples,
      exampleLength: (example) => example.tokenIds.length,
      loss: (batch, { training, step }) => tf.tidy(() => {
        const logits = tokenLogits(model, batchInputs(batch.map((example) => example.tokenIds), tokenizer.padTokenId), training, deriveSeed(seed, step, DROPOUT))
        return maskedCrossEntropy(logits, batch, tags.length)
      }),
      evaluate: options.validation && options.validation.length > 0 ? async () => evaluate(options.validation!) : undefined,
    }

    async function evaluate(examples: readonly SpannedText[]): Promise<EvaluationMetrics> {
      const predicted = tagger.predict(examples.map((example) => example.text))
      const report = spanF1(examples.map((example) => example.spans), predicted.map((prediction) => prediction.entities))
      // Piece-level tag accuracy and loss, for the trainer's history beside span F1.
      const encoded = examples.map(encode)
      let lossSum = 0
      let correct = 0
      let labelled = 0
      for (let start = 0; start < encoded.length; start += 64) {
        const batch = encoded.slice(start, start + 64)
        const [loss, best] = tf.tidy(() => {
          const logits = tokenLogits(model, batchInputs(batch.map((example) => example.tokenIds), tokenizer.padTokenId), false)
          return [maskedCrossEntropy(logits, batch, tags.length), logits.argMax(2)]
        })
        const width = best!.shape[1]!
        const values = (await best!.data()) as Int32Array
        const batchLabelled = batch.reduce((sum, example) => sum + example.labels.filter((label) => label !== IGNORED).length, 0)
        lossSum += (await loss!.data())[0]! * batchLabelled
        batch.forEach((example, row) => example.labels.forEach((label, position) => {
          if (label !== IGNORED && values[row * width + position] === label) correct++
        }))
        labelled += batchLabelled
        tf.dispose([loss!, best!])
      }
      return { accuracy: labelled === 0 ? 0 : correct / labelled, loss: labelled === 0 ? 0 : lossSum / labelled, spanMicroF1: report.microF1, spanMacroF1: report.macroF1 }
    }

    const result = await train(task, { ...options, seed, metricForBest: task.evaluate ? 'spanMicroF1' : undefined })
    const { trainable, total } = applied.parameterCounts
    return { tagger, applied, result, parameterCounts: { trainable, total, ratio: trainable / total } }
  } catch (error) {
    model.dispose()
    throw error
  }
}

/** Mean cross-entropy over the labelled positions of a padded batch. Call inside tf.tidy. */
function maskedCrossEntropy(logits: tf.Tensor3D, batch: readonly EncodedTokens[], numTags: number): tf.Scalar {
  const [rows, width] = logits.shape
  const labels = new Int32Array(rows * width)
  const mask = new Float32Array(rows * width)
  batch.forEach((example, row) => example.labels.forEach((label, position) => {
    if (label === IGNORED) return
    labels[row * width + position] = label
    mask[row * width + position] = 1
  }))
  const logProbabilities = tf.logSoftmax(logits.reshape([rows * width, numTags]))
  const picked = logProbabilities.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), numTags)).sum(1)
  const weights = tf.tensor1d(mask)
  return picked.mul(weights).sum().neg().div(weights.sum().maximum(1)) as tf.Scalar
}
