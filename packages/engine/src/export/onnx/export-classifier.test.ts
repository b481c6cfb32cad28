import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { InferenceSession } from 'onnxruntime-node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../backend'
import { IntentClassifier } from '../../fine-tune'
import { createSequenceClassifier } from '../../models'
import type { EncoderConfig, EncoderInputs, EncoderModelType, SequenceClassifier } from '../../models'
import { tinyBatch, tinyConfig } from '../../models/testing/fixtures'
import { tinyLlamaConfig } from '../../models/testing/llama-fixtures'
import { Ia3Layer, applyPeft, mergeIa3, mergeLora } from '../../peft'
import { Tokenizer, trainWordPiece } from '../../tokenizer'
import { exportOnnx } from './export-classifier'
import { OnnxIntentClassifier, createOnnxSession, runOnnxClassifier } from './onnx-intent-classifier'

/** The brief's bar for "the same logits": float32 rounding of two kernel libraries, nothing more. */
const TOLERANCE = 1e-5

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
const sessions: InferenceSession[] = []
function tinyModel(modelType: EncoderModelType, overrides: Partial<EncoderConfig> = {}, seed = 1): SequenceClassifier {
  const model = createSequenceClassifier(tinyConfig(modelType, overrides), undefined, { seed })
  created.push(model)
  return model
}
afterEach(async () => {
  created.splice(0).forEach((model) => model.dispose())
  await Promise.all(sessions.splice(0).map((session) => session.release()))
})

/** A padded batch of random ids (never the pad id where the mask is 1), larger than tinyBatch. */
function randomBatch(config: EncoderConfig, lengths: number[]): EncoderInputs {
  const width = Math.max(...lengths)
  let state = 12345
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31)
  const ids = lengths.map((length) => Array.from({ length: width }, (_, col) => (col < length ? 2 + (next() % (config.vocabSize - 2)) : config.padTokenId)))
  const mask = lengths.map((length) => Array.from({ length: width }, (_, col) => (col < length ? 1 : 0)))
  return { inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32') }
}

function engineLogits(model: SequenceClassifier, batch: EncoderInputs): Float32Array {
  const logits = model.forward(batch, { training: false })
  const values = logits.dataSync() as Float32Array
  logits.dispose()
  return values
}

async function onnxLogits(onnx: Uint8Array, batch: EncoderInputs): Promise<Float32Array> {
  const session = await createOnnxSession(onnx)
  sessions.push(session)
  const toInt64 = (tensor: tf.Tensor) => BigInt64Array.from(tensor.dataSync() as Int32Array, BigInt)
  return runOnnxClassifier(session, toInt64(batch.inputIds), toInt64(batch.attentionMask), batch.inputIds.shape as [number, number])
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  return a.reduce((largest, value, index) => Math.max(largest, Math.abs(value - b[index]!)), 0)
}

/** Exports the model and checks ORT's logits against the engine's on both batches; returns the engine's on the first. */
async function expectSameLogits(model: SequenceClassifier): Promise<Float32Array> {
  const onnx = exportOnnx(model)
  const config = model.config as EncoderConfig
  const batches = [tinyBatch(config.padTokenId), randomBatch(config, [9, 1, 4, 7, 9])]
  const [first] = await Promise.all(batches.map(async (batch) => {
    const expected = engineLogits(model, batch)
    // Randomly initialised tiny models give logits of order 1: absolute and relative error coincide.
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.05)
    expect(maxAbsDifference(await onnxLogits(onnx, batch), expected)).toBeLessThan(TOLERANCE)
    tf.dispose([batch.inputIds, batch.attentionMask])
    return expected
  }))
  return first!
}

describe('exportOnnx: ONNX Runtime gives the engine\'s logits', () => {
  it.each([
    ['bert', {}],
    ['bert', { classifierPooling: 'mean' }],
    ['bert', { classifierPooling: 'cls' }],
    ['bert', { hiddenAct: 'gelu_new' }],
    ['roberta', {}],
    ['roberta', { classifierPooling: 'mean', hiddenAct: 'relu' }],
    ['distilbert', {}],
    ['distilbert', { classifierPooling: 'mean' }],
  ] as const)('%s %o, padded batches', async (modelType, overrides) => {
    await expectSameLogits(tinyModel(modelType, overrides))
  })

  it('folds unmerged LoRA (all linear layers) and gives the same file once merged', async () => {
    const model = tinyModel('bert', { classifierPooling: 'mean' })
    const base = engineLogits(model, tinyBatch())
    applyPeft(model, 'lora', { r: 4, lora_alpha: 8, init_lora_weights: false, target_modules: 'all-linear' }, { seed: 3 })
    const adapted = await expectSameLogits(model)
    // The adapter changes the model, so agreeing with the engine means LoRA was folded in.
    expect(maxAbsDifference(adapted, base)).toBeGreaterThan(0.01)
    mergeLora(model)
    expect(maxAbsDifference(await expectSameLogits(model), adapted)).toBeLessThan(TOLERANCE)
  })

  it('folds IA3 on output and feed-forward layers, merged or not', async () => {
    const model = tinyModel('roberta')
    applyPeft(model, 'ia3', {}, { seed: 3 })
    const layers = [...model.adapters.values()].filter((adapter): adapter is Ia3Layer => adapter instanceof Ia3Layer)
    expect(layers.some((layer) => layer.isFeedforward) && layers.some((layer) => !layer.isFeedforward)).toBe(true)
    // l starts at ones (the identity): make it matter.
    layers.forEach((layer, index) => tf.tidy(() => layer.ia3L.assign(tf.randomUniform(layer.ia3L.shape, 0.5, 1.5, 'float32', index))))
    await expectSameLogits(model)
    mergeIa3(model)
    await expectSameLogits(model)
  })

  it('folds QLoRA: the dequantized weights plus the LoRA update', async () => {
    const model = tinyModel('distilbert', { hiddenSize: 64, intermediateSize: 128, numAttentionHeads: 4 })
    applyPeft(model, 'qlora', { init_lora_weights: false, target_modules: 'all-linear' }, { seed: 3 })
    await expectSameLogits(model)
  })

  it('refuses what cannot be folded, saying why', () => {
    const prefix = tinyModel('bert')
    applyPeft(prefix, 'prefix-tuning', { num_virtual_tokens: 2 })
    expect(() => exportOnnx(prefix)).toThrow(/does not support prefix tuning/)
    const adapter = tinyModel('bert')
    applyPeft(adapter, 'adapter', {})
    expect(() => exportOnnx(adapter)).toThrow(/does not support bottleneck adapters/)
    const llama = createSequenceClassifier(tinyLlamaConfig(), undefined, { seed: 1 })
    created.push(llama)
    expect(() => exportOnnx(llama)).toThrow(/supports bert, roberta and distilbert classifiers, not llama/)
  })
})

describe('OnnxIntentClassifier', () => {
  const texts = ['i lost my card', 'how do i top up my account', 'my card payment was declined twice today', 'exchange rate', 'card']

  it('predicts what IntentClassifier predicts, with the same probabilities', async () => {
    const tokenizer = Tokenizer.fromJSON(trainWordPiece([...texts, 'where is my card', 'top up by bank transfer'], { vocabSize: 60 }))
    const model = tinyModel('bert', { vocabSize: tokenizer.vocabSize, classifierPooling: 'mean' })
    applyPeft(model, 'lora', { init_lora_weights: false }, { seed: 5 })
    mergeLora(model)
    const engine = new IntentClassifier(model, tokenizer, 8)
    const onnx = await OnnxIntentClassifier.create(exportOnnx(model), tokenizer, engine.labels, 8)
    sessions.push(onnx.session)
    // Batches of 2 mix lengths, so padding is exercised on both sides.
    const expected = engine.predict(texts, { batchSize: 2, scores: true })
    const actual = await onnx.predict(texts, { batchSize: 2, scores: true })
    expect(actual.map((prediction) => prediction.label)).toEqual(expected.map((prediction) => prediction.label))
    actual.forEach((prediction, index) => {
      prediction.scores!.forEach((score, label) => expect(Math.abs(score - expected[index]!.scores![label]!)).toBeLessThan(1e-6))
    })
  })
})

const PYTHON = '/usr/bin/python3'
const hasOnnxChecker = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0

describe.skipIf(!hasOnnxChecker)('the ONNX checker (Debian python3-onnx)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-export-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.each(['bert', 'roberta', 'distilbert'] as const)('accepts the %s export with full shape inference', (modelType) => {
    const path = join(dir, `${modelType}.onnx`)
    writeFileSync(path, exportOnnx(tinyModel(modelType, { classifierPooling: modelType === 'bert' ? 'model' : 'mean' })))
    const script = [
      'import json, sys, onnx',
      'model = onnx.load(sys.argv[1])',
      'onnx.checker.check_model(model, full_check=True)',
      'print(json.dumps({"opset": model.opset_import[0].version, "ir": model.ir_version, '
      + '"inputs": [i.name for i in model.graph.input], "outputs": [o.name for o in model.graph.output], '
      + '"metadata": {p.key: p.value for p in model.metadata_props}}))',
    ].join('\n')
    const result = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({
      opset: 17, ir: 8, inputs: ['input_ids', 'attention_mask'], outputs: ['logits'],
      metadata: {
        model_type: modelType,
        classifier_pooling: modelType === 'bert' ? 'model' : 'mean',
        pad_token_id: modelType === 'roberta' ? '1' : '0',
        id2label: '["a","b","c","d"]',
      },
    })
  })
})
