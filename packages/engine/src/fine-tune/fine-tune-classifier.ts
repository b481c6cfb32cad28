/**
 * Fine-tunes a base checkpoint into an intent classifier with one adaptation method
 * (full fine-tuning, LoRA, …): the glue between a checkpoint, the tokenizer, the
 * PEFT registry and the trainer that a train job and the inference endpoint share.
 * `fineTuneMultiLabelClassifier` trains the same model for texts with zero or more
 * intents (NLU++): a sigmoid per label (HF's problem_type multi_label_classification).
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
import { multiLabelLoss } from '../pretrain/supervised'
import { batchInputs, encodeExamples, encodeText, inputLengthLimit } from './encoded-examples'
import type { EncodedExample, LabeledText, MultiLabelText } from './encoded-examples'
import { IntentClassifier } from './intent-classifier'

export interface FineTuneOptions<Text = LabeledText> extends Omit<TrainOptions, 'evalEvery'> {
  /** An HF-layout checkpoint with a tokenizer: a pretrained encoder (MLM or base model) or a classifier. */
  base: Checkpoint
  /** The classifier's labels, in class-index order. */
  labels: readonly string[]
  train: readonly Text[]
  /** Scored after every epoch (accuracy and loss; micro-F1 for multi-label); the best epoch's weights are kept. */
  validation?: readonly Text[]
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

/** What differs between single- and multi-label training: the targets, the loss and the validation score. */
interface Objective<Text> {
  encode(tokenizer: Tokenizer, examples: readonly Text[], labels: readonly string[], maxLength: number): EncodedExample[]
  /** Mean loss over the batch. Called inside tf.tidy. */
  loss(batch: readonly EncodedExample[], logits: tf.Tensor2D, numLabels: number): tf.Scalar
  /** Validation figures from every example's logits (`accuracy` is the one the trainer keeps the best epoch by, unless told otherwise). */
  score(examples: readonly EncodedExample[], logits: readonly Float32Array[]): { accuracy: number; [metric: string]: number }
}

const SINGLE_LABEL: Objective<LabeledText> = {
  encode: encodeExamples,
  loss: (batch, logits, numLabels) => tf.losses.softmaxCrossEntropy(tf.oneHot(batch.map((example) => example.labelIndices[0]!), numLabels), logits) as tf.Scalar,
  score: (examples, logits) => ({ accuracy: examples.filter((example, index) => argMax(logits[index]!) === example.labelIndices[0]).length / examples.length }),
}

/**
 * Multi-label: summed sigmoid cross-entropy over the labels (multiLabelLoss, which the supervised pretraining stage
 * also uses: averaged over NLU++'s 48 labels the signal was too weak to leave the all-negative answer). Validation
 * reports micro-F1 at 0.5 (`microF1`) and at the threshold tuned on it (`tunedMicroF1`, `threshold`:
 * tuneMultiLabelThreshold), the latter as `accuracy`, so the best epoch is the one whose probabilities rank best:
 * at 0.5 a small encoder's first epochs all score 0 (every sigmoid below 0.5, the label prior), which would keep epoch 1.
 */
const MULTI_LABEL: Objective<MultiLabelText> = {
  encode: (tokenizer, examples, labels, maxLength) => {
    const indexOf = new Map(labels.map((label, index) => [label, index]))
    return examples.map(({ text, labels: textLabels }) => ({
      tokenIds: encodeText(tokenizer, text, maxLength),
      // A label outside the classifier's (one the training folds never had) cannot be predicted; it still counts as missed.
      labelIndices: textLabels.map((label) => indexOf.get(label) ?? -1),
    }))
  },
  loss: (batch, logits, numLabels) => {
    const targets = new Float32Array(batch.length * numLabels)
    batch.forEach((example, row) => example.labelIndices.forEach((index) => { if (index >= 0) targets[row * numLabels + index] = 1 }))
    return multiLabelLoss(logits, tf.tensor2d(targets, [batch.length, numLabels]))
  },
  score: (examples, logits) => {
    const gold = examples.map((example) => example.labelIndices)
    const probabilities = logits.map((row) => row.map((logit) => 1 / (1 + Math.exp(-logit))))
    const tuned = tuneMultiLabelThreshold(gold, probabilities)
    return { accuracy: tuned.microF1, microF1: multiLabelMicroF1(gold, probabilities, 0.5), tunedMicroF1: tuned.microF1, threshold: tuned.threshold }
  },
}

/** The thresholds tuneMultiLabelThreshold tries: 0.05 to 0.95 in steps of 0.05. */
export const MULTI_LABEL_THRESHOLDS = Array.from({ length: 19 }, (_, index) => Math.round((index + 1) * 5) / 100)

/** Micro-F1 of label sets predicted as every label whose probability exceeds `threshold`, against each row's gold label indices. */
export function multiLabelMicroF1(gold: readonly (readonly number[])[], probabilities: readonly Float32Array[], threshold: number): number {
  let truePositives = 0
  let predicted = 0
  let actual = 0
  gold.forEach((labels, row) => {
    const wanted = new Set(labels)
    actual += wanted.size
    probabilities[row]!.forEach((probability, index) => {
      if (probability <= threshold) return
      predicted++
      if (wanted.has(index)) truePositives++
    })
  })
  return predicted + actual === 0 ? 0 : (2 * truePositives) / (predicted + actual)
}

/** One threshold for every label, the one of MULTI_LABEL_THRESHOLDS with the best micro-F1 (ties: the one nearest 0.5). */
export function tuneMultiLabelThreshold(gold: readonly (readonly number[])[], probabilities: readonly Float32Array[]): { threshold: number; microF1: number } {
  let best = { threshold: 0.5, microF1: multiLabelMicroF1(gold, probabilities, 0.5) }
  for (const threshold of MULTI_LABEL_THRESHOLDS) {
    const microF1 = multiLabelMicroF1(gold, probabilities, threshold)
    if (microF1 > best.microF1 || (microF1 === best.microF1 && Math.abs(threshold - 0.5) < Math.abs(best.threshold - 0.5))) best = { threshold, microF1 }
  }
  return best
}

export async function fineTuneClassifier(options: FineTuneOptions): Promise<FineTuned> {
  return fineTuneWith(options, SINGLE_LABEL)
}

/**
 * A classifier for texts with zero or more labels each. Its `multiLabel.threshold` is the one validation tuned for the
 * weights it keeps (0.5 without validation), so that `predict` answers label sets and saving it records the threshold.
 */
export async function fineTuneMultiLabelClassifier(options: FineTuneOptions<MultiLabelText>): Promise<FineTuned> {
  const fineTuned = await fineTuneWith(options, MULTI_LABEL)
  const { model, tokenizer, maxLength } = fineTuned.classifier
  const { best, history } = fineTuned.result
  // The weights kept are the best epoch's when the trainer restores it, else the last epoch's.
  const kept = (options.restoreBest ?? true) && best ? history[best.epoch] : history.at(-1)
  const threshold = kept?.validation?.threshold ?? 0.5
  return { ...fineTuned, classifier: new IntentClassifier(model, tokenizer, maxLength, { threshold }) }
}

async function fineTuneWith<Text>(options: FineTuneOptions<Text>, objective: Objective<Text>): Promise<FineTuned> {
  const { base, labels, method } = options
  const seed = options.seed ?? 42
  const tokenizer = tokenizerOf(base)
  const config = withLabels(parseModelConfig(base.config), labels)
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new Error(`the base model's tokenizer has ${tokenizer.vocabSize} tokens but its vocab_size is ${config.vocabSize}`)
  }
  const model = createSequenceClassifier(config, base.weights, { seed })
  try {
    const applied = applyPeft(model, method, withUntrainedModulesSaved(method, options.peftConfig ?? {}, untrainedModules(model)), { seed, tokenizer })
    const maxLength = Math.min(options.maxLength ?? 128, inputLengthLimit(model))
    const trainExamples = objective.encode(tokenizer, options.train, labels, maxLength)
    const validationExamples = objective.encode(tokenizer, options.validation ?? [], labels, maxLength)
    const evaluationBatchSize = options.evaluationBatchSize ?? 64

    const logitsOf = (batch: readonly EncodedExample[], training: boolean, dropoutSeed?: number) =>
      model.forward(batchInputs(batch.map((example) => example.tokenIds), tokenizer.padTokenId), { training, seed: dropoutSeed })

    const task: TrainingTask<EncodedExample> = {
      variables: new Map([...model.parameters].filter(([, variable]) => variable.trainable)),
      trainExamples,
      exampleLength: (example) => example.tokenIds.length,
      loss: (batch, { training, step }) => tf.tidy(() => objective.loss(batch, logitsOf(batch, training, deriveSeed(seed, step, DROPOUT)), labels.length)),
      evaluate: validationExamples.length > 0 ? async () => evaluate(validationExamples) : undefined,
    }

    async function evaluate(examples: readonly EncodedExample[]): Promise<EvaluationMetrics> {
      let lossSum = 0
      const rows: Float32Array[] = []
      for (let start = 0; start < examples.length; start += evaluationBatchSize) {
        const batch = examples.slice(start, start + evaluationBatchSize)
        const [loss, logits] = tf.tidy(() => {
          const batchLogits = logitsOf(batch, false)
          return [objective.loss(batch, batchLogits, labels.length).mul(batch.length), batchLogits]
        })
        lossSum += (await loss!.data())[0]!
        const values = (await logits!.data()) as Float32Array
        batch.forEach((_, row) => rows.push(values.subarray(row * labels.length, (row + 1) * labels.length)))
        tf.dispose([loss!, logits!])
      }
      return { ...objective.score(examples, rows), loss: lossSum / examples.length }
    }

    const result = await train(task, { ...options, seed })
    const { trainable, total } = applied.parameterCounts
    return { classifier: new IntentClassifier(model, tokenizer, maxLength), applied, result, parameterCounts: { trainable, total, ratio: trainable / total } }
  } catch (error) {
    model.dispose()
    throw error
  }
}

function argMax(values: Float32Array): number {
  let best = 0
  for (let index = 1; index < values.length; index++) if (values[index]! > values[best]!) best = index
  return best
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
