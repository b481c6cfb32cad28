import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import type { NamedTensor } from '../io/safetensors'
import { createSequenceClassifier } from './sequence-classifier'
import type { SequenceClassifier } from './sequence-classifier'
import { compareGradient } from './testing/gradient-check'
import { TINY_LABELS, crossEntropy, loadReference, tinyBatch, tinyConfig } from './testing/fixtures'

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
function create(...args: Parameters<typeof createSequenceClassifier>): SequenceClassifier {
  const model = createSequenceClassifier(...args)
  created.push(model)
  return model
}
afterEach(() => created.splice(0).forEach((model) => model.dispose()))

describe('parameters', () => {
  it('names BERT parameters and linear layers as HF does', () => {
    const model = create(tinyConfig('bert'), undefined, { seed: 1 })
    expect(model.weight('bert.encoder.layer.1.attention.self.query.weight').shape).toEqual([16, 16])
    expect(model.weight('bert.encoder.layer.0.intermediate.dense.weight').shape).toEqual([32, 16])
    expect(model.weight('classifier.weight').shape).toEqual([4, 16])
    expect(model.linearLayerNames()).toEqual([
      ...[0, 1].flatMap((i) => ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense']
        .map((name) => `bert.encoder.layer.${i}.${name}`)),
      'bert.pooler.dense', 'classifier',
    ])
  })

  it('names the RoBERTa and DistilBERT heads as HF does', () => {
    const roberta = create(tinyConfig('roberta'), undefined, { seed: 1 })
    expect(roberta.linearLayerNames().slice(-2)).toEqual(['classifier.dense', 'classifier.out_proj'])
    expect(roberta.parameters.has('roberta.pooler.dense.weight')).toBe(false)
    const distilbert = create(tinyConfig('distilbert'), undefined, { seed: 1 })
    expect(distilbert.linearLayerNames().slice(0, 4)).toEqual(['q_lin', 'k_lin', 'v_lin', 'out_lin'].map((name) => `distilbert.transformer.layer.0.attention.${name}`))
    expect(distilbert.headModules).toEqual(['pre_classifier', 'classifier'])
  })

  it('initialises missing weights as HF does, reproducibly from the seed', () => {
    const config = tinyConfig('bert', { vocabSize: 200, hiddenSize: 32, numAttentionHeads: 2 })
    const model = create(config, undefined, { seed: 7 })
    expect(model.loadReport.initialized).toHaveLength(model.parameters.size)
    const embeddings = model.weight('bert.embeddings.word_embeddings.weight')
    const values = embeddings.dataSync()
    const padRow = Array.from(values.slice(0, 32))
    expect(padRow.every((value) => value === 0)).toBe(true)
    const rest = Array.from(values.slice(32))
    const std = Math.sqrt(rest.reduce((sum, value) => sum + value * value, 0) / rest.length)
    expect(std).toBeGreaterThan(0.18)
    expect(std).toBeLessThan(0.22)
    expect(Array.from(model.weight('bert.embeddings.LayerNorm.weight').dataSync()).every((value) => value === 1)).toBe(true)
    expect(Array.from(model.weight('classifier.bias').dataSync()).every((value) => value === 0)).toBe(true)

    const same = create(config, undefined, { seed: 7 })
    const other = create(config, undefined, { seed: 8 })
    const query = 'bert.encoder.layer.0.attention.self.query.weight'
    expect(same.weight(query).dataSync()).toEqual(model.weight(query).dataSync())
    expect(other.weight(query).dataSync()).not.toEqual(model.weight(query).dataSync())
  })

  it('loads an encoder checkpoint saved without the base-model prefix and with gamma/beta LayerNorm names', () => {
    const reference = loadReference('bert')
    const renamed = new Map<string, NamedTensor>()
    for (const [name, tensor] of reference.weights) {
      if (name.startsWith('classifier.')) continue
      renamed.set(name.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'), tensor)
    }
    renamed.set('cls.predictions.bias', reference.weights.get('classifier.bias')!)
    const model = create(reference.config, renamed, { seed: 0 })
    expect(model.loadReport).toEqual({ initialized: ['classifier.weight', 'classifier.bias'], unused: ['cls.predictions.bias'] })
    const layerNorm = reference.weights.get('bert.embeddings.LayerNorm.weight')!
    expect(model.weight('bert.embeddings.LayerNorm.weight').dataSync()).toEqual(new Float32Array(layerNorm.bytes.slice().buffer))
  })

  it('refuses a checkpoint tensor of the wrong shape, naming it', () => {
    const reference = loadReference('bert')
    const config = { ...reference.config, id2label: ['only', 'three', 'labels'] }
    expect(() => create(config, reference.weights, { seed: 0 })).toThrow(/classifier\.weight has shape \[5,16\].*\[3,16\]/)
  })
})

describe('forward', () => {
  it('applies dropout only when training, with masks fixed by the seed', () => {
    const model = create(tinyConfig('bert'), undefined, { seed: 1 })
    const batch = tinyBatch()
    const run = (options: { training: boolean; seed?: number }) => model.forward(batch, options).arraySync()
    expect(run({ training: false })).toEqual(run({ training: false }))
    expect(run({ training: true, seed: 3 })).toEqual(run({ training: true, seed: 3 }))
    expect(run({ training: true, seed: 3 })).not.toEqual(run({ training: true, seed: 4 }))
    expect(run({ training: true, seed: 3 })).not.toEqual(run({ training: false }))
  })

  it('ignores the token ids at masked positions', () => {
    const model = create(tinyConfig('bert'), undefined, { seed: 1 })
    const batch = tinyBatch()
    const mask = batch.attentionMask.arraySync()
    const otherPadding = batch.inputIds.arraySync().map((row, r) => row.map((id, c) => (mask[r]![c] ? id : 5)))
    const logits = model.forward(batch, { training: false }).arraySync().flat()
    const withOtherPadding = model.forward({ ...batch, inputIds: tf.tensor2d(otherPadding, undefined, 'int32') }, { training: false }).arraySync().flat()
    withOtherPadding.forEach((value, i) => expect(value).toBeCloseTo(logits[i]!, 5))
  })

  it('exposes hidden states and pooled vectors (model, cls, mean pooling)', () => {
    const model = create(tinyConfig('distilbert'), undefined, { seed: 1 })
    const batch = tinyBatch()
    const { lastHiddenState, pooled } = model.encode(batch, { training: false })
    expect(lastHiddenState.shape).toEqual([4, 6, 16])
    expect(pooled.arraySync()).toEqual(lastHiddenState.slice([0, 0, 0], [4, 1, 16]).reshape([4, 16]).arraySync())
    const mean = model.encode(batch, { training: false, pooling: 'mean' }).pooled.arraySync()
    const hidden = lastHiddenState.arraySync()
    // The third sequence has 3 real tokens.
    const expected = hidden[2]![0]!.map((_, d) => (hidden[2]![0]![d]! + hidden[2]![1]![d]! + hidden[2]![2]![d]!) / 3)
    mean[2]!.forEach((value, d) => expect(value).toBeCloseTo(expected[d]!, 5))
  })

  it('feeds the head the pooling the config names: mean pooling reads no pooler', () => {
    const model = create(tinyConfig('bert', { classifierPooling: 'mean' }), undefined, { seed: 1 })
    expect(model.linearLayerNames()).not.toContain('bert.pooler.dense')
    const batch = tinyBatch()
    const { pooled } = model.encode(batch, { training: false, pooling: 'mean' })
    const expected = (pooled.matMul(model.weight('classifier.weight'), false, true).add(model.weight('classifier.bias')) as tf.Tensor2D).arraySync().flat()
    model.forward(batch, { training: false }).arraySync().flat().forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5))
  })
})

describe('gradients', () => {
  it.each(['bert', 'roberta', 'distilbert'] as const)('%s: analytic gradients match finite differences', (modelType) => {
    const config = tinyConfig(modelType)
    const model = create(config, undefined, { seed: 2 })
    const batch = tinyBatch(config.padTokenId)
    // Training mode with a fixed seed: the dropout masks are part of the function being differentiated.
    const loss = () => crossEntropy(model.forward(batch, { training: true, seed: 11 }), TINY_LABELS)
    const prefix = model.basePrefix
    const layer = modelType === 'distilbert' ? `${prefix}.transformer.layer.0.attention.q_lin` : `${prefix}.encoder.layer.0.attention.self.query`
    const usedToken = batch.inputIds.arraySync()[0]![1]!
    const checks: Array<[string, number]> = [
      [`${prefix}.embeddings.word_embeddings.weight`, usedToken * config.hiddenSize + 3],
      [`${layer}.weight`, 17],
      [`${prefix}.embeddings.LayerNorm.weight`, 5],
      [model.linearLayerNames().at(-1)! + '.bias', 2],
    ]
    for (const [name, index] of checks) {
      const { analytic, numeric } = compareGradient(loss, model.weight(name), index)
      expect(Math.abs(analytic), name).toBeGreaterThan(1e-4)
      expect(Math.abs(analytic - numeric), `${name}[${index}]: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric))
    }
  })

  it('overfits a tiny batch with Adam (full fine-tuning)', () => {
    const model = create(tinyConfig('bert', { hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 }), undefined, { seed: 3 })
    const batch = tinyBatch()
    const optimizer = tf.train.adam(0.01)
    const variables = [...model.parameters.values()]
    let loss = Infinity
    for (let step = 0; step < 40; step++) {
      const cost = optimizer.minimize(() => crossEntropy(model.forward(batch, { training: true, seed: step }), TINY_LABELS), true, variables)!
      loss = cost.dataSync()[0]!
      cost.dispose()
    }
    optimizer.dispose()
    expect(loss).toBeLessThan(0.05)
  })
})
