/**
 * Fine-tunes a base checkpoint into an intent classifier with one adaptation method
 * (full fine-tuning, LoRA, …): the glue between a checkpoint, the tokenizer, the
 * PEFT registry and the trainer that a train job and the inference endpoint share.
 */
import * as tf from '@tensorflow/tfjs'
import type { Checkpoint } from '../io/checkpoint'
import { createSequenceClassifier, parseModelConfig, withLabels } from '../models'
import type { SequenceClassifier } from '../models'
import { applyPeft, peftMethod } from '../peft'
import type { AppliedPeft, PeftMethodName } from '../peft'
import { isInsideModules } from '../peft/trainable'
import { Tokenizer } from '../tokenizer'
import type { TokenizerConfigJson } from '../tokenizer'
import type { EvaluationMetrics } from '../train/checkpoint'
import { deriveSeed } from '../train/seeds'
import { train } from '../train/trainer'
import type { TrainOptions, TrainResult, TrainingTask } from '../train/trainer'
import { batchInputs, encodeExamples, inputLengthLimit } from './encoded-examples'
import type { EncodedExample, LabeledText } from './encoded-examples'
import { IntentClassifier } from './intent-classifier'

export interface FineTuneOptions extends Omit<TrainOptions, 'evalEvery'> {
  /** An HF-layout checkpoint with a tokenizer: a pretrained encoder (MLM or base model) or a classifier. */
  base: Checkpoint
  /** The classifier's labels, in class-index order. */
  labels: readonly string[]
  train: readonly LabeledText[]
  /** Scored after every epoch (accuracy and loss); the best epoch's weights are kept. */
  validation?: readonly LabeledText[]
  method: PeftMethodName
  /** The method's config with PEFT's field names (LoraConfig for 'lora'); defaults filled in. */
  peftConfig?: Record<string, unknown>
  /** Longest input in tokens, special tokens included. Default 128 (or the model's position limit, if lower). */
  maxLength?: number
  /** Validation batch size. Default 64. */
  evaluationBatchSize?: number
}

export interface FineTuned {
  classifier: IntentClassifier
  applied: AppliedPeft
  result: TrainResult
  parameterCounts: { trainable: number; total: number; ratio: number }
}

/** Purpose for deriveSeed: dropout masks are keyed by (seed, step), so a resumed run replays them. */
const DROPOUT = 1

export async function fineTuneClassifier(options: FineTuneOptions): Promise<FineTuned> {
  const { base, labels, method } = options
  const seed = options.seed ?? 42
  const tokenizer = tokenizerOf(base)
  const config = withLabels(parseModelConfig(base.config), labels)
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new Error(`the base model's tokenizer has ${tokenizer.vocabSize} tokens but its vocab_size is ${config.vocabSize}`)
  }
  const model = createSequenceClassifier(config, base.weights, { seed })
  try {
    const applied = applyPeft(model, method, withUntrainedModulesSaved(method, options.peftConfig ?? {}, untrainedModules(model)), { seed })
    const maxLength = Math.min(options.maxLength ?? 128, inputLengthLimit(model))
    const trainExamples = encodeExamples(tokenizer, options.train, labels, maxLength)
    const validationExamples = encodeExamples(tokenizer, options.validation ?? [], labels, maxLength)
    const evaluationBatchSize = options.evaluationBatchSize ?? 64

    const logitsOf = (batch: readonly EncodedExample[], training: boolean, dropoutSeed?: number) =>
      model.forward(batchInputs(batch.map((example) => example.tokenIds), tokenizer.padTokenId), { training, seed: dropoutSeed })
    const meanLoss = (batch: readonly EncodedExample[], logits: tf.Tensor2D) =>
      tf.losses.softmaxCrossEntropy(tf.oneHot(batch.map((example) => example.labelIndex), labels.length), logits) as tf.Scalar

    const task: TrainingTask<EncodedExample> = {
      variables: new Map([...model.parameters].filter(([, variable]) => variable.trainable)),
      trainExamples,
      exampleLength: (example) => example.tokenIds.length,
      loss: (batch, { training, step }) => tf.tidy(() => meanLoss(batch, logitsOf(batch, training, deriveSeed(seed, step, DROPOUT)))),
      evaluate: validationExamples.length > 0 ? async () => evaluate(validationExamples) : undefined,
    }

    async function evaluate(examples: readonly EncodedExample[]): Promise<EvaluationMetrics> {
      let lossSum = 0
      let correct = 0
      for (let start = 0; start < examples.length; start += evaluationBatchSize) {
        const batch = examples.slice(start, start + evaluationBatchSize)
        const [loss, predicted] = tf.tidy(() => {
          const logits = logitsOf(batch, false)
          return [meanLoss(batch, logits).mul(batch.length), logits.argMax(1)]
        })
        lossSum += (await loss!.data())[0]!
        const predictions = await predicted!.data()
        correct += batch.filter((example, index) => predictions[index] === example.labelIndex).length
        tf.dispose([loss!, predicted!])
      }
      return { accuracy: correct / examples.length, loss: lossSum / examples.length }
    }

    const result = await train(task, { ...options, seed })
    const { trainable, total } = applied.parameterCounts
    return { classifier: new IntentClassifier(model, tokenizer, maxLength), applied, result, parameterCounts: { trainable, total, ratio: trainable / total } }
  } catch (error) {
    model.dispose()
    throw error
  }
}

export function tokenizerOf(checkpoint: Checkpoint): Tokenizer {
  if (!checkpoint.tokenizer) throw new Error('the base model has no tokenizer.json; a checkpoint for fine-tuning needs one')
  return Tokenizer.fromJSON(checkpoint.tokenizer, (checkpoint.tokenizerConfig ?? {}) as TokenizerConfigJson)
}

/**
 * Modules outside the classification head that the base checkpoint lacks and that
 * were therefore initialised at random: BERT's pooler, when the base is an MLM
 * checkpoint. Frozen and left out of the adapter they would be random noise that
 * a reload could not reproduce, so they are trained and saved with the head.
 */
function untrainedModules(model: SequenceClassifier): string[] {
  const modules = model.loadReport.initialized
    .filter((name) => !isInsideModules(name, model.headModules))
    .map((name) => name.slice(0, name.lastIndexOf('.')))
  return [...new Set(modules)]
}

/** Adds `modules` to the method's `modules_to_save`, for methods that have one (full fine-tuning trains everything anyway). */
function withUntrainedModulesSaved(method: PeftMethodName, peftConfig: Record<string, unknown>, modules: string[]): Record<string, unknown> {
  const parsed = peftMethod(method).configSchema.parse(peftConfig) as Record<string, unknown>
  if (modules.length === 0 || !('modules_to_save' in parsed)) return parsed
  const listed = (parsed.modules_to_save as string[] | null) ?? []
  return { ...parsed, modules_to_save: [...new Set([...listed, ...modules])] }
}
