import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { readSafetensors, writeSafetensors } from '../io/safetensors'
import { createSequenceClassifier } from '../models'
import type { EncoderModelType, SequenceClassifier } from '../models'
import { tinyBatch, tinyConfig } from '../models/testing/fixtures'
import { loadAdapter, saveAdapter } from './adapter-io'
import { bitsAndBytesConfigJson, type QloraConfig } from './qlora'
import { applyPeft } from './registry'

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
/** Base models built from the same seed are the same base, as if loaded from one checkpoint. */
function baseModel(modelType: EncoderModelType = 'bert'): SequenceClassifier {
  const model = createSequenceClassifier(tinyConfig(modelType), undefined, { seed: 1 })
  created.push(model)
  return model
}
afterEach(() => created.splice(0).forEach((model) => model.dispose()))

const savedKeys = (bytes: Uint8Array) => [...readSafetensors(bytes).tensors.keys()].sort()

describe('PEFT adapter layout', () => {
  it('writes LoRA with the keys and adapter_config.json PEFT writes', () => {
    const model = baseModel('bert')
    const applied = applyPeft(model, 'lora', { r: 4, lora_alpha: 16, lora_dropout: 0.05 })
    const files = saveAdapter(model, applied, { baseModelNameOrPath: 'prajjwal1/bert-tiny' })
    expect(files['adapter_config.json']).toEqual({
      peft_type: 'LORA', task_type: 'SEQ_CLS', base_model_name_or_path: 'prajjwal1/bert-tiny', revision: null, inference_mode: true,
      r: 4, lora_alpha: 16, lora_dropout: 0.05, target_modules: ['query', 'value'], bias: 'none', modules_to_save: ['classifier'],
      fan_in_fan_out: false, init_lora_weights: true, use_rslora: false,
      layers_to_transform: null, layers_pattern: null, rank_pattern: {}, alpha_pattern: {}, use_dora: false,
    })
    const layers = [0, 1].flatMap((i) => ['query', 'value'].map((name) => `base_model.model.bert.encoder.layer.${i}.attention.self.${name}`))
    expect(savedKeys(files['adapter_model.safetensors'])).toEqual([
      ...layers.flatMap((layer) => [`${layer}.lora_A.weight`, `${layer}.lora_B.weight`]),
      'base_model.model.classifier.bias', 'base_model.model.classifier.weight',
    ].sort())
    const tensors = readSafetensors(files['adapter_model.safetensors'])
    expect(tensors.tensors.get('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight')!.shape).toEqual([4, 16])
    expect(tensors.tensors.get('base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight')!.shape).toEqual([16, 4])
    expect(tensors.metadata).toEqual({ format: 'pt' })
  })

  it('saves the RoBERTa and DistilBERT heads and resolves all-linear to layer-name suffixes', () => {
    const roberta = baseModel('roberta')
    const robertaFiles = saveAdapter(roberta, applyPeft(roberta, 'lora', { target_modules: 'all-linear' }))
    expect(robertaFiles['adapter_config.json'].target_modules).toEqual(['dense', 'key', 'query', 'value'])
    expect(savedKeys(robertaFiles['adapter_model.safetensors']).filter((key) => key.includes('classifier'))).toEqual([
      'base_model.model.classifier.dense.bias', 'base_model.model.classifier.dense.weight',
      'base_model.model.classifier.out_proj.bias', 'base_model.model.classifier.out_proj.weight',
    ])
    const distilbert = baseModel('distilbert')
    const distilbertFiles = saveAdapter(distilbert, applyPeft(distilbert, 'lora', {}))
    expect(distilbertFiles['adapter_config.json']).toMatchObject({ target_modules: ['q_lin', 'v_lin'], modules_to_save: ['pre_classifier', 'classifier'] })
    expect(savedKeys(distilbertFiles['adapter_model.safetensors'])).toContain('base_model.model.pre_classifier.weight')
  })

  it('saves the biases of adapted layers under base_layer, as PEFT names them', () => {
    const model = baseModel('bert')
    const files = saveAdapter(model, applyPeft(model, 'lora', { bias: 'lora_only', target_modules: ['query'] }))
    expect(savedKeys(files['adapter_model.safetensors']).filter((key) => key.endsWith('.bias'))).toEqual([
      'base_model.model.bert.encoder.layer.0.attention.self.query.base_layer.bias',
      'base_model.model.bert.encoder.layer.1.attention.self.query.base_layer.bias',
      'base_model.model.classifier.bias',
    ])
  })

  it('has no adapter format for full fine-tuning', () => {
    const model = baseModel('bert')
    expect(() => saveAdapter(model, applyPeft(model, 'full'))).toThrow(/save the whole model as a checkpoint/)
  })
})

describe('PEFT adapter round trip', () => {
  it.each(['bert', 'roberta', 'distilbert'] as const)('%s: save then load into a fresh base gives identical logits', (modelType) => {
    const trained = baseModel(modelType)
    const applied = applyPeft(trained, 'lora', { r: 4, init_lora_weights: false, bias: 'lora_only', target_modules: 'all-linear' }, { seed: 9 })
    // Stand-in for training: move every adapter weight (the head and biases included) away from its initial value.
    for (const variable of applied.adapterWeights.values()) variable.assign(variable.add(tf.randomNormal(variable.shape, 0, 0.1, 'float32', 3)))
    const batch = tinyBatch(tinyConfig(modelType).padTokenId)
    const expected = trained.forward(batch, { training: false }).arraySync()

    const files = saveAdapter(trained, applied)
    const fresh = baseModel(modelType)
    expect(fresh.forward(batch, { training: false }).arraySync()).not.toEqual(expected)
    const loaded = loadAdapter(fresh, files)
    expect([...fresh.adapters.keys()]).toEqual([...trained.adapters.keys()])
    expect(loaded.parameterCounts).toEqual(applied.parameterCounts)
    expect(fresh.forward(batch, { training: false }).arraySync()).toEqual(expected)
  })

  it.each([['nf4', true], ['fp4', false]] as const)('QLoRA (%s, double quant %s): loads onto the 4-bit base it trained on, given the base\'s quantization_config', (quantType, doubleQuant) => {
    const trained = baseModel('bert')
    const config = { r: 4, init_lora_weights: false, target_modules: 'all-linear', bnb_4bit_quant_type: quantType, bnb_4bit_use_double_quant: doubleQuant }
    const applied = applyPeft(trained, 'qlora', config, { seed: 9 })
    for (const variable of applied.adapterWeights.values()) variable.assign(variable.add(tf.randomNormal(variable.shape, 0, 0.1, 'float32', 3)))
    const batch = tinyBatch()
    const expected = trained.forward(batch, { training: false }).arraySync()
    const files = saveAdapter(trained, applied)
    const quantizationConfig = bitsAndBytesConfigJson(applied.config as QloraConfig, trained)

    // Onto the fp32 base (PEFT without a 4-bit base): close, not the trained model.
    const onFullPrecision = baseModel('bert')
    expect(loadAdapter(onFullPrecision, files).method).toBe('lora')
    expect(onFullPrecision.forward(batch, { training: false }).arraySync()).not.toEqual(expected)

    const onFourBit = baseModel('bert')
    const loaded = loadAdapter(onFourBit, files, { quantizationConfig })
    expect(loaded).toMatchObject({ method: 'qlora', config: { bnb_4bit_quant_type: quantType, bnb_4bit_use_double_quant: doubleQuant } })
    expect(onFourBit.forward(batch, { training: false }).arraySync()).toEqual(expected)
  })

  it('refuses adapter files with unknown or missing tensors, and unsupported PEFT features', () => {
    const model = baseModel('bert')
    const files = saveAdapter(model, applyPeft(model, 'lora', {}))
    const tensors = readSafetensors(files['adapter_model.safetensors']).tensors
    const withExtra = new Map(tensors).set('base_model.model.bert.pooler.dense.lora_A.weight', tensors.get('base_model.model.classifier.bias')!)
    expect(() => loadAdapter(baseModel('bert'), { ...files, 'adapter_model.safetensors': writeSafetensors(withExtra) })).toThrow(/pooler\.dense\.lora_A\.weight/)
    const withoutHead = new Map([...tensors].filter(([key]) => !key.includes('classifier.weight')))
    expect(() => loadAdapter(baseModel('bert'), { ...files, 'adapter_model.safetensors': writeSafetensors(withoutHead) })).toThrow(/lacks base_model\.model\.classifier\.weight/)
    expect(() => loadAdapter(baseModel('bert'), { ...files, 'adapter_config.json': { ...files['adapter_config.json'], use_dora: true } })).toThrow(/use_dora/)
  })
})
