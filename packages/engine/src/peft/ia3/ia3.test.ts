import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../backend'
import { readSafetensors } from '../../io/safetensors'
import { ForwardContext, createSequenceClassifier, dense } from '../../models'
import type { EncoderConfig, EncoderModelType, SequenceClassifier } from '../../models'
import { compareGradient } from '../../models/testing/gradient-check'
import { TINY_LABELS, crossEntropy, tinyBatch, tinyConfig } from '../../models/testing/fixtures'
import { loadAdapter, saveAdapter } from '../adapter-io'
import { applyPeft } from '../registry'
import { Ia3Layer, ia3ConfigSchema, ia3TargetLayers, mergeIa3, unmergeIa3 } from '.'

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
/** Models built from the same seed share their base weights, as if loaded from one checkpoint. */
function tinyModel(modelType: EncoderModelType = 'bert', overrides: Partial<EncoderConfig> = {}): SequenceClassifier {
  const model = createSequenceClassifier(tinyConfig(modelType, overrides), undefined, { seed: 1 })
  created.push(model)
  return model
}
afterEach(() => created.splice(0).forEach((model) => model.dispose()))

const evalLogits = (model: SequenceClassifier) => {
  const batch = tinyBatch(model.config.padTokenId ?? 0)
  const logits = model.forward(batch, { training: false })
  const values = logits.arraySync()
  tf.dispose([logits, batch.inputIds, batch.attentionMask])
  return values
}

describe('IA3 config', () => {
  it('has HF PEFT defaults', () => {
    expect(ia3ConfigSchema.parse({})).toEqual({
      target_modules: null, feedforward_modules: null, fan_in_fan_out: false, modules_to_save: null, init_ia3_weights: true,
    })
  })

  it('refuses feedforward_modules that are not target_modules, as PEFT does, and unknown fields', () => {
    expect(() => ia3ConfigSchema.parse({ target_modules: ['key'], feedforward_modules: ['output.dense'] })).toThrow(/subset of target_modules/)
    expect(() => ia3ConfigSchema.parse({ r: 8 })).toThrow()
  })
})

describe('IA3 targets', () => {
  it('defaults to PEFT\'s BERT targets key, value, output.dense; "output.dense" ones scale their input', () => {
    const model = tinyModel()
    applyPeft(model, 'ia3', {})
    const layers = [0, 1].flatMap((i) => ['attention.self.key', 'attention.self.value', 'attention.output.dense', 'output.dense'].map((name) => `bert.encoder.layer.${i}.${name}`))
    expect([...model.adapters.keys()].sort()).toEqual(layers.sort())
    const shapeOf = (layer: string) => model.weight(`${layer}.ia3_l`).shape
    expect(shapeOf('bert.encoder.layer.0.attention.self.key')).toEqual([16, 1]) // output scaling: out_features
    expect(shapeOf('bert.encoder.layer.0.attention.output.dense')).toEqual([1, 16]) // input scaling: in_features
    expect(shapeOf('bert.encoder.layer.0.output.dense')).toEqual([1, 32])
  })

  it('needs target_modules for DistilBERT, which PEFT has no IA3 default for', () => {
    expect(() => applyPeft(tinyModel('distilbert'), 'ia3', {})).toThrow(/no default target_modules for distilbert/)
    const model = tinyModel('distilbert')
    expect(() => applyPeft(model, 'ia3', { target_modules: ['k_lin', 'lin2'], feedforward_modules: ['lin2'] })).not.toThrow()
    expect(model.weight('distilbert.transformer.layer.0.ffn.lin2.ia3_l').shape).toEqual([1, 32])
  })

  it('matches target_modules as PEFT does, and never inside the head', () => {
    const model = tinyModel('roberta')
    expect(ia3TargetLayers(model, ia3ConfigSchema.parse({ target_modules: 'all-linear' })).some((name) => name.startsWith('classifier'))).toBe(false)
    expect(() => ia3TargetLayers(model, ia3ConfigSchema.parse({ target_modules: ['q_lin'] }))).toThrow(/match no linear layer/)
  })
})

describe('IA3 maths', () => {
  it.each(['bert', 'roberta'] as const)('%s: vectors of ones leave the logits exactly as the base model\'s', (modelType) => {
    const model = tinyModel(modelType)
    const base = evalLogits(model)
    applyPeft(model, 'ia3', {})
    expect(evalLogits(model)).toEqual(base)
  })

  it('scales the output (bias included) or, for feed-forward layers, the input', () => {
    const weight = tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', 1))
    const bias = tf.variable(tf.tensor1d([0.5, -1, 2]))
    const x = tf.randomNormal([2, 4], 0, 1, 'float32', 2)
    const base = (input: tf.Tensor) => dense(input, weight, bias)
    const context = new ForwardContext(false)
    const outputScale = tf.variable(tf.tensor2d([[2], [3], [-1]]))
    const inputScale = tf.variable(tf.tensor2d([[1, 0, 2, -1]]))
    const close = (actual: tf.Tensor, expected: tf.Tensor) => expect(tf.abs(actual.sub(expected)).max().dataSync()[0]).toBeLessThan(1e-5)
    close(new Ia3Layer(weight, bias, outputScale, false).forward(x, base, context), base(x).mul(tf.tensor1d([2, 3, -1])))
    close(new Ia3Layer(weight, bias, inputScale, true).forward(x, base, context), base(x.mul(tf.tensor1d([1, 0, 2, -1]))))
    tf.dispose([weight, bias, x, outputScale, inputScale])
  })

  it('merged equals unmerged, and unmerge restores the base weights and biases', () => {
    const model = tinyModel()
    applyPeft(model, 'ia3', { init_ia3_weights: false }, { seed: 2 })
    const unmerged = evalLogits(model).flat()
    const key = model.weight('bert.encoder.layer.0.attention.self.key.weight')
    const keyBias = model.weight('bert.encoder.layer.0.attention.self.key.bias')
    tf.tidy(() => keyBias.assign(tf.randomNormal(keyBias.shape, 0, 0.5, 'float32', 4))) // a zero bias would hide a wrong bias merge
    const withBias = evalLogits(model).flat()
    const [baseWeight, baseBias] = [key.dataSync().slice(), keyBias.dataSync().slice()]
    mergeIa3(model)
    expect(key.dataSync()).not.toEqual(baseWeight)
    evalLogits(model).flat().forEach((value, i) => expect(Math.abs(value - withBias[i]!)).toBeLessThan(1e-4))
    expect(() => mergeIa3(model)).toThrow(/already merged/)
    unmergeIa3(model)
    key.dataSync().forEach((value, i) => expect(Math.abs(value - baseWeight[i]!)).toBeLessThan(1e-5))
    keyBias.dataSync().forEach((value, i) => expect(Math.abs(value - baseBias[i]!)).toBeLessThan(1e-5))
    expect(withBias).not.toEqual(unmerged)
  })

  it('analytic gradients of input and output scaling vectors match finite differences', () => {
    const model = tinyModel('bert')
    applyPeft(model, 'ia3', { init_ia3_weights: false }, { seed: 5 })
    const batch = tinyBatch()
    const loss = () => crossEntropy(model.forward(batch, { training: true, seed: 21 }), TINY_LABELS)
    for (const name of ['bert.encoder.layer.0.attention.self.value.ia3_l', 'bert.encoder.layer.1.output.dense.ia3_l']) {
      const { analytic, numeric } = compareGradient(loss, model.weight(name), 3)
      expect(Math.abs(analytic), name).toBeGreaterThan(1e-4)
      expect(Math.abs(analytic - numeric), `${name}: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric))
    }
    tf.dispose([batch.inputIds, batch.attentionMask])
  })
})

describe('IA3 training', () => {
  it('counts the vectors and the head as trainable: 2 layers, hidden 32, feed-forward 64', () => {
    const model = tinyModel('bert', { hiddenSize: 32, intermediateSize: 64 })
    const total = model.countParameters()
    const applied = applyPeft(model, 'ia3', {})
    // Per layer: key 32 + value 32 (outputs) + attention.output.dense 32 + output.dense 64 (inputs); head 4 × 32 + 4.
    expect(applied.parameterCounts).toEqual({ trainable: 2 * (32 + 32 + 32 + 64) + 4 * 32 + 4, total: total + 320 })
  })

  it('computes gradients only for the IA3 vectors and the head', () => {
    const model = tinyModel()
    const applied = applyPeft(model, 'ia3', {})
    const batch = tinyBatch()
    const { grads } = tf.variableGrads(() => crossEntropy(model.forward(batch, { training: true, seed: 1 }), TINY_LABELS))
    const trainable = applied.trainableVariables.map((variable) => variable.name).sort()
    expect(Object.keys(grads).sort()).toEqual(trainable)
    const trainableNames = [...model.parameters].filter(([, variable]) => variable.trainable).map(([name]) => name)
    expect(trainableNames.every((name) => name.endsWith('.ia3_l') || name.startsWith('classifier.'))).toBe(true)
    tf.dispose([grads, batch.inputIds, batch.attentionMask] as tf.TensorContainer)
  })
})

describe('IA3 adapter', () => {
  it('writes PEFT\'s keys and adapter_config.json, and reloads into a fresh base with identical logits', () => {
    const trained = tinyModel()
    const applied = applyPeft(trained, 'ia3', { init_ia3_weights: false }, { seed: 7 })
    for (const variable of applied.adapterWeights.values()) variable.assign(variable.add(tf.randomNormal(variable.shape, 0, 0.1, 'float32', 3)))
    const expected = evalLogits(trained)

    const files = saveAdapter(trained, applied, { baseModelNameOrPath: 'prajjwal1/bert-tiny' })
    expect(files['adapter_config.json']).toEqual({
      peft_type: 'IA3', task_type: 'SEQ_CLS', base_model_name_or_path: 'prajjwal1/bert-tiny', revision: null, inference_mode: true,
      target_modules: ['key', 'value', 'output.dense'], feedforward_modules: ['output.dense'], fan_in_fan_out: false,
      modules_to_save: ['classifier'], init_ia3_weights: false,
    })
    const tensors = readSafetensors(files['adapter_model.safetensors']).tensors
    expect(tensors.get('base_model.model.bert.encoder.layer.0.attention.self.key.ia3_l')!.shape).toEqual([16, 1])
    expect(tensors.get('base_model.model.bert.encoder.layer.1.output.dense.ia3_l')!.shape).toEqual([1, 32])
    expect([...tensors.keys()].filter((key) => !key.endsWith('.ia3_l')).sort()).toEqual(['base_model.model.classifier.bias', 'base_model.model.classifier.weight'])

    const fresh = tinyModel()
    expect(evalLogits(fresh)).not.toEqual(expected)
    const loaded = loadAdapter(fresh, files)
    expect(loaded.method).toBe('ia3')
    expect(loaded.parameterCounts).toEqual(applied.parameterCounts)
    expect(evalLogits(fresh)).toEqual(expected)
  })

  it('refuses PEFT IA3 features this engine lacks', () => {
    const model = tinyModel()
    const files = saveAdapter(model, applyPeft(model, 'ia3', {}))
    expect(() => loadAdapter(tinyModel(), { ...files, 'adapter_config.json': { ...files['adapter_config.json'], exclude_modules: ['key'] } })).toThrow(/exclude_modules/)
  })
})
