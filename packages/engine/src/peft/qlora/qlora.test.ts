import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../backend'
import { readSafetensors } from '../../io/safetensors'
import { createSequenceClassifier } from '../../models'
import type { EncoderConfig, SequenceClassifier } from '../../models'
import { TINY_LABELS, crossEntropy, tinyBatch, tinyConfig } from '../../models/testing/fixtures'
import { loadAdapter, saveAdapter } from '../adapter-io'
import { applyPeft } from '../registry'
import { QuantizedLinear, bitsAndBytesConfigJson, qloraConfigSchema, quantizedLayers, quantizedStorage } from '.'

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
/** Models built from the same seed share their base weights, as if loaded from one checkpoint. */
function tinyModel(overrides: Partial<EncoderConfig> = {}): SequenceClassifier {
  const model = createSequenceClassifier(tinyConfig('bert', overrides), undefined, { seed: 1 })
  created.push(model)
  return model
}
afterEach(() => created.splice(0).forEach((model) => model.dispose()))

const evalLogits = (model: SequenceClassifier) => {
  const batch = tinyBatch()
  const logits = model.forward(batch, { training: false })
  const values = logits.arraySync()
  tf.dispose([logits, batch.inputIds, batch.attentionMask])
  return values
}

/** An fp32 model whose weights are the quantized model's dequantized ones: what QLoRA's base computes with. */
function dequantizedTwin(quantized: SequenceClassifier): SequenceClassifier {
  const twin = tinyModel(quantized.config as EncoderConfig)
  for (const [layer, adapter] of quantized.adapters) {
    if (adapter instanceof QuantizedLinear) tf.tidy(() => twin.weight(`${layer}.weight`).assign(adapter.weight.dequantize()))
  }
  return twin
}

describe('QLoRA config', () => {
  it('is LoRA\'s config plus BitsAndBytesConfig\'s 4-bit fields, defaulting to QLoRA\'s NF4 with double quantization', () => {
    expect(qloraConfigSchema.parse({})).toMatchObject({
      r: 8, lora_alpha: 8, target_modules: null, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: 'float32',
    })
    expect(qloraConfigSchema.parse({ bnb_4bit_compute_dtype: 'bfloat16' }).bnb_4bit_compute_dtype).toBe('bfloat16')
    expect(() => qloraConfigSchema.parse({ bnb_4bit_quant_type: 'int4' })).toThrow()
    expect(() => qloraConfigSchema.parse({ load_in_4bit: true })).toThrow()
  })

  it('quantizes every linear layer but the classification head', () => {
    const model = tinyModel()
    const layers = quantizedLayers(model, qloraConfigSchema.parse({}))
    expect(layers).toEqual(model.linearLayerNames().filter((name) => name !== 'classifier'))
    expect(layers).toContain('bert.pooler.dense')
  })
})

describe('QLoRA model', () => {
  it.each([
    ['nf4', true], ['nf4', false], ['fp4', true], ['fp4', false],
  ] as const)('%s, double quant %s: with B = 0 the logits are exactly those of the dequantized base', (quantType, doubleQuant) => {
    const model = tinyModel()
    const original = evalLogits(model)
    applyPeft(model, 'qlora', { bnb_4bit_quant_type: quantType, bnb_4bit_use_double_quant: doubleQuant, target_modules: 'all-linear' })
    const logits = evalLogits(model)
    expect(logits).toEqual(evalLogits(dequantizedTwin(model)))
    expect(logits).not.toEqual(original) // 4-bit weights do change the model, a little
    logits.flat().forEach((value, i) => expect(Math.abs(value - original.flat()[i]!)).toBeLessThan(0.5))
  })

  it('has no fp32 weight left in quantized layers, and disposing the model frees the 4-bit ones', () => {
    const before = tf.memory().numTensors
    const model = createSequenceClassifier(tinyConfig('bert'), undefined, { seed: 1 })
    applyPeft(model, 'qlora', {})
    for (const layer of quantizedLayers(model, qloraConfigSchema.parse({}))) {
      expect(model.parameters.has(`${layer}.weight`), layer).toBe(false)
      expect(model.parameters.has(`${layer}.bias`), layer).toBe(true)
    }
    expect(model.parameters.has('classifier.weight')).toBe(true)
    const afterSetup = tf.memory().numTensors
    evalLogits(model)
    expect(tf.memory().numTensors).toBe(afterSetup)
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('counts a 4-bit weight as out × in parameters, and trains only LoRA A, B and the head', () => {
    const model = tinyModel()
    const total = model.countParameters()
    const applied = applyPeft(model, 'qlora', { r: 4 })
    // 4 adapted 16x16 layers (query, value): A [4,16] + B [16,4]; classifier 4x16 + 4.
    const lora = 4 * (4 * 16 + 16 * 4)
    expect(applied.parameterCounts).toEqual({ trainable: lora + 4 * 16 + 4, total: total + lora })
  })

  it('sends gradients only to LoRA A, B and the head, and an optimizer step moves only them', () => {
    const model = tinyModel()
    const applied = applyPeft(model, 'qlora', { r: 4, init_lora_weights: false })
    const batch = tinyBatch()
    const loss = () => crossEntropy(model.forward(batch, { training: true, seed: 1 }), TINY_LABELS)
    const { grads } = tf.variableGrads(loss)
    const names = (variables: tf.Variable[]) => variables.map((variable) => variable.name).sort()
    expect(Object.keys(grads).sort()).toEqual(names(applied.trainableVariables))
    const trainable = [...model.parameters].filter(([, variable]) => variable.trainable).map(([name]) => name)
    expect(trainable.every((name) => /lora_[AB]\.weight$|^classifier\./.test(name))).toBe(true)
    expect(trainable).toHaveLength(2 * 4 + 2)
    tf.dispose(grads)

    const before = new Map([...model.parameters].map(([name, variable]) => [name, variable.dataSync().slice()]))
    const optimizer = tf.train.adam(0.01)
    tf.dispose(optimizer.minimize(loss, true, applied.trainableVariables)!)
    optimizer.dispose()
    for (const [name, variable] of model.parameters) {
      expect(variable.dataSync().some((value, i) => value !== before.get(name)![i]), name).toBe(variable.trainable)
    }
    tf.dispose([batch.inputIds, batch.attentionMask])
  })

  it.each([
    [false, 0.5 + 4 / 64],
    [true, 0.516],
  ] as const)('double quant %s: the base weights take %f byte per parameter, and tfjs memory drops by the rest', (doubleQuant, bytesPerParameter) => {
    const model = tinyModel({ hiddenSize: 128, intermediateSize: 512 })
    const linearParameters = quantizedLayers(model, qloraConfigSchema.parse({}))
      .reduce((sum, layer) => sum + model.weight(`${layer}.weight`).size, 0)
    const bytesBefore = tf.memory().numBytes
    applyPeft(model, 'qlora', { r: 8, bnb_4bit_use_double_quant: doubleQuant })
    const storage = quantizedStorage(model)
    expect(storage.parameters).toBe(linearParameters)
    expect(storage.bytes / storage.parameters).toBeCloseTo(bytesPerParameter, 3)
    const loraBytes = 4 * 2 * 8 * (2 * 128 + 2 * 128) // query and value of 2 layers: A [8,128] + B [128,8]
    const meanBytes = doubleQuant ? 4 * quantizedLayers(model, qloraConfigSchema.parse({})).length : 0 // each layer's absmax mean is a JS number
    expect(bytesBefore - tf.memory().numBytes).toBe(4 * linearParameters - (storage.bytes - meanBytes) - loraBytes)
  })
})

describe('QLoRA adapter', () => {
  it('is saved as a LoRA adapter, and loads as one onto an fp32 base with the dequantized weights, giving the same logits', () => {
    const model = tinyModel()
    const applied = applyPeft(model, 'qlora', { r: 4, init_lora_weights: false, target_modules: ['query', 'value', 'output.dense'] }, { seed: 3 })
    const twin = dequantizedTwin(model)
    const expected = evalLogits(model)

    const files = saveAdapter(model, applied)
    const loraModel = tinyModel()
    const loraFiles = saveAdapter(loraModel, applyPeft(loraModel, 'lora', { r: 4, target_modules: ['query', 'value', 'output.dense'] }))
    expect(files['adapter_config.json']).toEqual({ ...loraFiles['adapter_config.json'], init_lora_weights: false })
    expect(files['adapter_config.json'].peft_type).toBe('LORA')
    const keys = (bytes: Uint8Array) => [...readSafetensors(bytes).tensors.keys()].sort()
    expect(keys(files['adapter_model.safetensors'])).toEqual(keys(loraFiles['adapter_model.safetensors']))

    expect(loadAdapter(twin, files).method).toBe('lora')
    expect(evalLogits(twin)).toEqual(expected)
  })

  it('describes the 4-bit loading for the base model\'s config.json, as transformers writes quantization_config', () => {
    const model = tinyModel()
    expect(bitsAndBytesConfigJson(qloraConfigSchema.parse({ bnb_4bit_quant_type: 'fp4' }), model)).toEqual({
      quant_method: 'bitsandbytes', load_in_4bit: true, load_in_8bit: false,
      bnb_4bit_quant_type: 'fp4', bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: 'float32', bnb_4bit_quant_storage: 'uint8',
      llm_int8_skip_modules: ['classifier'],
    })
  })
})
