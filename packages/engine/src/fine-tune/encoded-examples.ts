/**
 * Texts tokenized once, before training: each example keeps its own (truncated,
 * unpadded) token ids, and a batch is padded only to its longest row. With the
 * trainer's length-grouped batches, most batches carry almost no padding.
 */
import * as tf from '@tensorflow/tfjs'
import type { EncoderInputs, SequenceClassifier } from '../models'
import type { Tokenizer } from '../tokenizer'

/** A text and its intent, as datasets hold them. */
export interface LabeledText {
  text: string
  label: string
}

/** A text and every label it carries, zero or more (NLU++'s multi-label intents). */
export interface MultiLabelText {
  text: string
  labels: readonly string[]
}

export interface EncodedExample {
  /** [CLS] … [SEP] token ids, at most maxLength of them. */
  tokenIds: Int32Array
  /** Indices of the labels in the classifier's label list: exactly one for single-label classification. */
  labelIndices: number[]
}

export function encodeExamples(tokenizer: Tokenizer, examples: readonly LabeledText[], labels: readonly string[], maxLength: number): EncodedExample[] {
  const indexOf = new Map(labels.map((label, index) => [label, index]))
  return examples.map(({ text, label }) => {
    const labelIndex = indexOf.get(label)
    if (labelIndex === undefined) throw new Error(`example label ${JSON.stringify(label)} is not one of the ${labels.length} classifier labels`)
    return { tokenIds: encodeText(tokenizer, text, maxLength), labelIndices: [labelIndex] }
  })
}

/** One text's ids, truncated like a batch of one (special tokens kept). */
export function encodeText(tokenizer: Tokenizer, text: string, maxLength: number): Int32Array {
  return tokenizer.encodeBatch([text], { maxLength }).inputIds
}

/** Input tensors for a batch, right-padded with `padTokenId` to the longest row. Call inside tf.tidy. */
export function batchInputs(rows: readonly Int32Array[], padTokenId: number): EncoderInputs {
  const sequenceLength = rows.reduce((longest, row) => Math.max(longest, row.length), 1)
  const inputIds = new Int32Array(rows.length * sequenceLength).fill(padTokenId)
  const attentionMask = new Int32Array(rows.length * sequenceLength)
  rows.forEach((row, index) => {
    inputIds.set(row, index * sequenceLength)
    attentionMask.fill(1, index * sequenceLength, index * sequenceLength + row.length)
  })
  const shape: [number, number] = [rows.length, sequenceLength]
  return { inputIds: tf.tensor2d(inputIds, shape, 'int32'), attentionMask: tf.tensor2d(attentionMask, shape, 'int32') }
}

/**
 * The longest input the model can take: its position table, less the virtual tokens
 * of prefix tuning, whose keys take the first positions (as in HF with past_key_values).
 */
export function inputLengthLimit(model: SequenceClassifier): number {
  return model.config.maxPositionEmbeddings - (model.attentionPrefix?.length ?? 0)
}
