import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../backend'
import { readSafetensors } from '../../io/safetensors'
import { createSequenceClassifier } from '../../models'
import type { EncoderModelType, SequenceClassifier } from '../../models'
import { TINY_LABELS, crossEntropy, tinyBatch, tinyConfig } from '../../models/testing/fixtures'
import { loadAdapter, saveAdapter } from '../adapter-io'
import { applyPeft } from '../registry'
import { adapterConfigSchema, adapterSites } from '.'

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

/** Eval-mode logits of the tiny batch, flat; every tensor of the pass is freed. */
function evalLogits(model: SequenceClassifier, modelType: EncoderModelType = 'bert'): Float32Array {
  const batch = tinyBatch(tinyConfig(modelType).padTokenId)
  const logits = model.forward(batch, { training: false })
  const values = logits.dataSync() as Float32Array
  tf.dispose([logits, batch.inputIds, batch.attentionMask])
  return values
}

describe('bottleneck adapter config', () => {
  it('has AdapterHub\'s defaults: Houlsby, hidden size / 16, swish (relu for Pfeiffer)', () => {
    expect(adapterConfigSchema.parse({})).toEqual({ adapter_type: 'houlsby', hidden_size: null, reduction_factor: 16, non_linearity: null, dropout: 0 })
    expect(() => adapterConfigSchema.parse({ adapter_type: 'lora' })).toThrow()
    const model = tinyModel()
    const files = saveAdapter(model, applyPeft(model, 'adapter', { adapter_type: 'pfeiffer', reduction_factor: 4 }))
    expect(files['adapter_config.json']).toMatchObject({
      peft_type: 'BOTTLENECK_ADAPTER', adapter_type: 'pfeiffer', hidden_size: 4, reduction_factor: 4, non_linearity: 'relu', dropout: 0,
    })
  })
})

describe('bottleneck adapter placement', () => {
  it('wraps the attention and feed-forward output projections (Houlsby) or the feed-forward one only (Pfeiffer)', () => {
    const config = (fields: object) => adapterConfigSchema.parse(fields)
    expect(adapterSites(tinyModel('bert'), config({}))).toEqual([0, 1].flatMap((i) => [
      { linear: `bert.encoder.layer.${i}.attention.output.dense`, weights: `bert.encoder.layer.${i}.attention.output.adapters.default` },
      { linear: `bert.encoder.layer.${i}.output.dense`, weights: `bert.encoder.layer.${i}.output.adapters.default` },
    ]))
    expect(adapterSites(tinyModel('distilbert'), config({ adapter_type: 'pfeiffer' }))).toEqual([0, 1].map((i) => (
      { linear: `distilbert.transformer.layer.${i}.ffn.lin2`, weights: `distilbert.transformer.layer.${i}.output_adapters.adapters.default` })))
  })

  it.each(['bert', 'roberta', 'distilbert'] as const)('%s: starts as the identity, so the logits are exactly the base model\'s', (modelType) => {
    for (const adapterType of ['houlsby', 'pfeiffer']) {
      const model = tinyModel(modelType)
      const base = evalLogits(model, modelType)
      applyPeft(model, 'adapter', { adapter_type: adapterType, hidden_size: 4 })
      expect(evalLogits(model, modelType)).toEqual(base)
    }
  })

  it('counts 2·h·b + b + h per adapter: two per layer for Houlsby, one for Pfeiffer', () => {
    const [hidden, bottleneck, layers, head] = [16, 8, 2, 4 * 16 + 4]
    const perAdapter = 2 * hidden * bottleneck + bottleneck + hidden
    const houlsby = tinyModel()
    const base = houlsby.countParameters()
    expect(applyPeft(houlsby, 'adapter', { hidden_size: bottleneck }).parameterCounts).toEqual({ trainable: 2 * layers * perAdapter + head, total: base + 2 * layers * perAdapter })
    expect(applyPeft(tinyModel(), 'adapter', { adapter_type: 'pfeiffer', hidden_size: bottleneck }).parameterCounts).toEqual({ trainable: layers * perAdapter + head, total: base + layers * perAdapter })
  })
})

describe('bottleneck adapter training', () => {
  it('computes gradients only for the adapters and the head, and learns a tiny batch', () => {
    const model = createSequenceClassifier(tinyConfig('bert', { hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 }), undefined, { seed: 3 })
    created.push(model)
    const applied = applyPeft(model, 'adapter', { hidden_size: 8, dropout: 0.1 })
    const batch = tinyBatch()
    const loss = () => crossEntropy(model.forward(batch, { training: true, seed: 1 }), TINY_LABELS)
    const { grads } = tf.variableGrads(loss)
    const names = new Map([...model.parameters].map(([name, variable]) => [variable.name, name]))
    expect(Object.keys(grads).map((variableName) => names.get(variableName)!).sort()).toEqual([...applied.adapterWeights.keys()].sort())
    tf.dispose(grads)

    const optimizer = tf.train.adam(0.02)
    let last = Infinity
    for (let step = 0; step < 40; step++) {
      const cost = optimizer.minimize(() => crossEntropy(model.forward(batch, { training: true, seed: step }), TINY_LABELS), true, applied.trainableVariables)!
      last = cost.dataSync()[0]!
      cost.dispose()
    }
    optimizer.dispose()
    expect(last).toBeLessThan(0.05)
  })
})

describe('bottleneck adapter files', () => {
  it.each(['bert', 'roberta', 'distilbert'] as const)('%s: save then load into a fresh base gives identical logits', (modelType) => {
    const trained = tinyModel(modelType)
    const applied = applyPeft(trained, 'adapter', { adapter_type: 'houlsby', hidden_size: 4, non_linearity: 'gelu' }, { seed: 2 })
    for (const variable of applied.adapterWeights.values()) variable.assign(variable.add(tf.randomNormal(variable.shape, 0, 0.1, 'float32', 3)))
    const expected = evalLogits(trained, modelType)

    const files = saveAdapter(trained, applied)
    const keys = [...readSafetensors(files['adapter_model.safetensors']).tensors.keys()]
    // Two adapters in layer 0, each adapter_down.0.{weight,bias} and adapter_up.{weight,bias}; the head under its own names.
    expect(keys.filter((key) => key.includes('layer.0.') && key.includes('.adapters.default.adapter_'))).toHaveLength(8)
    expect(keys).toContain(modelType === 'roberta' ? 'classifier.out_proj.weight' : 'classifier.weight')
    const fresh = tinyModel(modelType)
    expect(loadAdapter(fresh, files).parameterCounts).toEqual(applied.parameterCounts)
    expect(evalLogits(fresh, modelType)).toEqual(expected)
  })
})
