/** Shared by the model and PEFT tests: the PyTorch reference fixtures and tiny random models. */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { readSafetensors } from '../../io/safetensors'
import type { NamedTensor } from '../../io/safetensors'
import type { EncoderInputs } from '../architecture'
import { parseEncoderConfig } from '../config'
import type { EncoderConfig, EncoderModelType } from '../config'

export const REFERENCE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../test-fixtures/reference')

export interface ReferenceFixture<Config = EncoderConfig> {
  config: Config
  weights: Map<string, NamedTensor>
  inputIds: number[][]
  attentionMask: number[][]
  logits: number[][]
}

/** One model written by test-fixtures/make_reference.py. */
export function loadReference(modelType: EncoderModelType): ReferenceFixture {
  return readReference(modelType, parseEncoderConfig)
}

/** The files of test-fixtures/reference/<name>, its config.json read by `parseConfig`. */
export function readReference<Config>(name: string, parseConfig: (json: Record<string, unknown>) => Config): ReferenceFixture<Config> {
  const dir = join(REFERENCE_DIR, name)
  const config = parseConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')))
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors')))).tensors
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { input_ids: number[][]; attention_mask: number[][]; logits: number[][] }
  return { config, weights, inputIds: expected.input_ids, attentionMask: expected.attention_mask, logits: expected.logits }
}

/** A 2-layer, hidden-16 config of each family; small enough that every test runs in milliseconds. */
export function tinyConfig(modelType: EncoderModelType, overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  return {
    modelType,
    vocabSize: 30,
    hiddenSize: 16,
    numHiddenLayers: 2,
    numAttentionHeads: 2,
    intermediateSize: 32,
    hiddenAct: 'gelu',
    maxPositionEmbeddings: 20,
    typeVocabSize: modelType === 'distilbert' ? 0 : modelType === 'roberta' ? 1 : 2,
    layerNormEps: 1e-12,
    hiddenDropoutProb: 0.1,
    attentionProbsDropoutProb: 0.1,
    classifierDropout: null,
    initializerRange: 0.2,
    padTokenId: modelType === 'roberta' ? 1 : 0,
    id2label: ['a', 'b', 'c', 'd'],
    ...overrides,
  }
}

/** A padded batch of 4 sequences of length 6 (pad id 0 for BERT/DistilBERT, 1 for RoBERTa). */
export function tinyBatch(padTokenId = 0): EncoderInputs {
  const lengths = [6, 5, 3, 4]
  const ids = lengths.map((length, row) => Array.from({ length: 6 }, (_, col) => (col < length ? 2 + ((row * 7 + col * 3) % 27) : padTokenId)))
  const mask = lengths.map((length) => Array.from({ length: 6 }, (_, col) => (col < length ? 1 : 0)))
  return { inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32') }
}

export const TINY_LABELS = tf.tensor1d([0, 1, 2, 3], 'int32')

/** Mean cross-entropy of logits against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits) as tf.Scalar
}
