import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../backend'
import { createSequenceClassifier } from '../../models'
import type { SequenceClassifier } from '../../models'
import { compareGradient } from '../../models/testing/gradient-check'
import { TINY_LABELS, crossEntropy, tinyBatch, tinyConfig } from '../../models/testing/fixtures'
import type { EncoderModelType } from '../../models'
import { applyPeft } from '../registry'
import { loraConfigSchema, mergeLora, targetLayers, unmergeLora } from '.'
import type { LoraLayer } from '.'

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
function tinyModel(modelType: EncoderModelType = 'bert', seed = 1): SequenceClassifier {
  const model = createSequenceClassifier(tinyConfig(modelType), undefined, { seed })
  created.push(model)
  return model
}
afterEach(() => created.splice(0).forEach((model) => model.dispose()))

const evalLogits = (model: SequenceClassifier, modelType: EncoderModelType = 'bert') =>
  model.forward(tinyBatch(tinyConfig(modelType).padTokenId), { training: false }).arraySync().flat()

describe('LoRA config', () => {
  it('has HF PEFT defaults', () => {
    expect(loraConfigSchema.parse({})).toEqual({
      r: 8, lora_alpha: 8, lora_dropout: 0, target_modules: null, bias: 'none', modules_to_save: null,
      fan_in_fan_out: false, init_lora_weights: true, use_rslora: false,
    })
  })

  it('rejects unknown fields and invalid values', () => {
    expect(() => loraConfigSchema.parse({ rank: 4 })).toThrow()
    expect(() => loraConfigSchema.parse({ r: 0 })).toThrow()
  })
})

describe('LoRA targets', () => {
  const config = (fields: object) => loraConfigSchema.parse(fields)

  it('defaults to PEFT\'s per-model targets', () => {
    expect(targetLayers(tinyModel('bert'), config({}))).toEqual([
      'bert.encoder.layer.0.attention.self.query', 'bert.encoder.layer.0.attention.self.value',
      'bert.encoder.layer.1.attention.self.query', 'bert.encoder.layer.1.attention.self.value',
    ])
    expect(targetLayers(tinyModel('distilbert'), config({}))).toEqual([
      'distilbert.transformer.layer.0.attention.q_lin', 'distilbert.transformer.layer.0.attention.v_lin',
      'distilbert.transformer.layer.1.attention.q_lin', 'distilbert.transformer.layer.1.attention.v_lin',
    ])
  })

  it('matches list entries as whole names or dotted suffixes, and strings as full regular expressions', () => {
    const model = tinyModel('bert')
    expect(targetLayers(model, config({ target_modules: ['output.dense'] }))).toEqual([
      'bert.encoder.layer.0.attention.output.dense', 'bert.encoder.layer.0.output.dense',
      'bert.encoder.layer.1.attention.output.dense', 'bert.encoder.layer.1.output.dense',
    ])
    expect(targetLayers(model, config({ target_modules: 'bert\\.encoder\\.layer\\.1\\..*(key|intermediate\\.dense)' }))).toEqual([
      'bert.encoder.layer.1.attention.self.key', 'bert.encoder.layer.1.intermediate.dense',
    ])
    expect(() => targetLayers(model, config({ target_modules: ['q_lin'] }))).toThrow(/match no linear layer/)
  })

  it('all-linear takes every linear layer but the classification head', () => {
    const bert = tinyModel('bert')
    expect(targetLayers(bert, config({ target_modules: 'all-linear' }))).toEqual(bert.linearLayerNames().filter((name) => name !== 'classifier'))
    const roberta = tinyModel('roberta')
    const layers = targetLayers(roberta, config({ target_modules: 'all-linear' }))
    expect(layers).toHaveLength(12)
    expect(layers.some((name) => name.startsWith('classifier'))).toBe(false)
    const distilbert = tinyModel('distilbert')
    expect(targetLayers(distilbert, config({ target_modules: 'all-linear' })).some((name) => name.includes('classifier'))).toBe(false)
  })
})

describe('LoRA maths', () => {
  it.each(['bert', 'roberta', 'distilbert'] as const)('%s: B = 0 leaves the logits exactly as the base model', (modelType) => {
    const model = tinyModel(modelType)
    const base = evalLogits(model, modelType)
    applyPeft(model, 'lora', { target_modules: 'all-linear' })
    expect(evalLogits(model, modelType)).toEqual(base)
  })

  it('leaves no tensors behind: forward is tidy, and disposing the model frees the adapter too', () => {
    const before = tf.memory().numTensors
    const model = createSequenceClassifier(tinyConfig('bert'), undefined, { seed: 1 })
    applyPeft(model, 'lora', { init_lora_weights: false })
    const batch = tinyBatch()
    const afterSetup = tf.memory().numTensors
    mergeLora(model)
    unmergeLora(model)
    const logits = model.forward(batch, { training: true, seed: 1 })
    expect(tf.memory().numTensors).toBe(afterSetup + 1)
    tf.dispose([logits, batch.inputIds, batch.attentionMask])
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('counts trainable parameters: A and B of each target plus the head', () => {
    const model = tinyModel('bert')
    const total = model.countParameters()
    const applied = applyPeft(model, 'lora', { r: 4 })
    // 4 adapted 16x16 layers: A [4,16] + B [16,4]; classifier 4x16 + 4.
    const lora = 4 * (4 * 16 + 16 * 4)
    expect(applied.parameterCounts).toEqual({ trainable: lora + 4 * 16 + 4, total: total + lora })
  })

  it('merged equals unmerged, and unmerge restores the base weight', () => {
    const model = tinyModel('bert')
    applyPeft(model, 'lora', { r: 4, lora_alpha: 16, init_lora_weights: false, target_modules: 'all-linear' })
    const query = model.weight('bert.encoder.layer.0.attention.self.query.weight')
    const baseWeight = query.arraySync() as number[][]
    const unmerged = evalLogits(model)
    mergeLora(model)
    expect(query.arraySync()).not.toEqual(baseWeight)
    evalLogits(model).forEach((value, i) => expect(Math.abs(value - unmerged[i]!)).toBeLessThan(1e-5))
    expect(() => mergeLora(model)).toThrow(/already merged/)
    unmergeLora(model)
    ;(query.arraySync() as number[][]).flat().forEach((value, i) => expect(Math.abs(value - baseWeight.flat()[i]!)).toBeLessThan(1e-6))
    evalLogits(model).forEach((value, i) => expect(Math.abs(value - unmerged[i]!)).toBeLessThan(1e-5))
  })

  it('scales the update by lora_alpha / r, or lora_alpha / sqrt(r) with use_rslora', () => {
    const model = tinyModel('bert')
    const applied = applyPeft(model, 'lora', { r: 4, lora_alpha: 8, use_rslora: true })
    expect(applied.config).toMatchObject({ use_rslora: true })
    const scaling = (target: SequenceClassifier) => (target.adapters.get('bert.encoder.layer.0.attention.self.query') as LoraLayer).scaling
    expect(scaling(model)).toBe(4)
    const plain = tinyModel('bert')
    applyPeft(plain, 'lora', { r: 4, lora_alpha: 8 })
    expect(scaling(plain)).toBe(2)
  })

  it('initialises A kaiming-uniform within ±1/sqrt(in) and B at zero', () => {
    const model = tinyModel('bert')
    applyPeft(model, 'lora', { r: 4 }, { seed: 5 })
    const a = Array.from(model.weight('bert.encoder.layer.0.attention.self.query.lora_A.weight').dataSync())
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(16))
    expect(new Set(a).size).toBe(a.length)
    expect(Array.from(model.weight('bert.encoder.layer.0.attention.self.query.lora_B.weight').dataSync()).every((v) => v === 0)).toBe(true)
  })

  it('analytic gradients of A and B match finite differences (with LoRA dropout)', () => {
    const model = tinyModel('bert', 4)
    applyPeft(model, 'lora', { r: 4, lora_alpha: 8, lora_dropout: 0.1, init_lora_weights: false })
    const batch = tinyBatch()
    const loss = () => crossEntropy(model.forward(batch, { training: true, seed: 21 }), TINY_LABELS)
    for (const name of ['bert.encoder.layer.0.attention.self.value.lora_A.weight', 'bert.encoder.layer.1.attention.self.query.lora_B.weight']) {
      const { analytic, numeric } = compareGradient(loss, model.weight(name), 9)
      expect(Math.abs(analytic), name).toBeGreaterThan(1e-4)
      expect(Math.abs(analytic - numeric), `${name}: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric))
    }
  })
})

describe('LoRA training', () => {
  it('computes gradients only for trainable parameters and leaves the frozen base untouched by an optimizer step', () => {
    const model = tinyModel('bert')
    const applied = applyPeft(model, 'lora', { r: 4 })
    const batch = tinyBatch()
    const loss = () => crossEntropy(model.forward(batch, { training: true, seed: 1 }), TINY_LABELS)

    // Without a variable list tf differentiates every trainable variable: frozen ones must not be among them.
    const { grads } = tf.variableGrads(loss)
    const frozen = [...model.parameters.values()].filter((variable) => !variable.trainable)
    expect(frozen.length).toBeGreaterThan(0)
    for (const variable of frozen) expect(grads[variable.name]).toBeUndefined()
    expect(Object.keys(grads).sort()).toEqual(applied.trainableVariables.map((variable) => variable.name).sort())
    tf.dispose(grads)

    const before = new Map([...model.parameters].map(([name, variable]) => [name, variable.dataSync().slice()]))
    const optimizer = tf.train.adam(0.01)
    tf.dispose(optimizer.minimize(loss, true, applied.trainableVariables)!)
    optimizer.dispose()
    for (const [name, variable] of model.parameters) {
      const changed = variable.dataSync().some((value, i) => value !== before.get(name)![i])
      expect(changed, name).toBe(variable.trainable && !name.endsWith('lora_A.weight')) // A's gradient is 0 while B = 0
    }
  })

  it('trains biases as `bias` says', () => {
    const all = tinyModel('bert')
    applyPeft(all, 'lora', { bias: 'all' })
    const trainableBiases = (model: SequenceClassifier) =>
      [...model.parameters].filter(([name, variable]) => name.endsWith('.bias') && variable.trainable).map(([name]) => name)
    expect(trainableBiases(all)).toHaveLength([...all.parameters.keys()].filter((name) => name.endsWith('.bias')).length)
    const loraOnly = tinyModel('bert')
    applyPeft(loraOnly, 'lora', { bias: 'lora_only' })
    expect(trainableBiases(loraOnly)).toEqual([
      'bert.encoder.layer.0.attention.self.query.bias', 'bert.encoder.layer.0.attention.self.value.bias',
      'bert.encoder.layer.1.attention.self.query.bias', 'bert.encoder.layer.1.attention.self.value.bias',
      'classifier.bias',
    ])
  })

  it('overfits a tiny batch when only LoRA and the head train', () => {
    const model = createSequenceClassifier(tinyConfig('bert', { hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 }), undefined, { seed: 3 })
    created.push(model)
    const applied = applyPeft(model, 'lora', { r: 8, lora_alpha: 16, target_modules: 'all-linear' })
    const batch = tinyBatch()
    const optimizer = tf.train.adam(0.02)
    let loss = Infinity
    for (let step = 0; step < 40; step++) {
      const cost = optimizer.minimize(() => crossEntropy(model.forward(batch, { training: true, seed: step }), TINY_LABELS), true, applied.trainableVariables)!
      loss = cost.dataSync()[0]!
      cost.dispose()
    }
    optimizer.dispose()
    expect(loss).toBeLessThan(0.05)
  })
})
