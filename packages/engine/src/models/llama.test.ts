import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import type { AttentionPrefix } from './layers'
import { llamaConfigToJson, parseLlamaConfig } from './llama-config'
import type { LlamaConfig } from './llama-config'
import { parseModelConfig } from './model-config'
import { inverseFrequencies } from './rotary'
import { createSequenceClassifier } from './sequence-classifier'
import type { SequenceClassifier } from './sequence-classifier'
import { TINY_LABELS, crossEntropy, tinyBatch } from './testing/fixtures'
import { compareGradient } from './testing/gradient-check'
import { loadLlamaReference, tinyLlamaConfig } from './testing/llama-fixtures'

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
function create(config: LlamaConfig = tinyLlamaConfig(), seed = 1): SequenceClassifier<LlamaConfig> {
  const model = createSequenceClassifier(config, undefined, { seed })
  created.push(model)
  return model
}
afterEach(() => created.splice(0).forEach((model) => model.dispose()))

const inputs = (ids: number[][], mask: number[][]) => ({
  inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32'),
})

describe.each(['llama', 'llama-rope-llama3'] as const)('%s matches the PyTorch reference', (name) => {
  it('gives the same logits (1e-4) on right-, left- and unpadded rows and uses every checkpoint tensor', () => {
    const reference = loadLlamaReference(name)
    const model = createSequenceClassifier(reference.config, reference.weights, { seed: 0 })
    created.push(model)
    expect(model.loadReport).toEqual({ initialized: [], unused: [] })
    const actual = model.forward(inputs(reference.inputIds, reference.attentionMask), { training: false }).arraySync()
    reference.logits.forEach((row, r) => row.forEach((value, c) => expect(Math.abs(actual[r]![c]! - value), `[${r}, ${c}]`).toBeLessThan(1e-4)))
  })
})

describe('llama attention prefix (the prefix tuning hook)', () => {
  it('matches PyTorch with the prefix as past_key_values: positions after it, every token seeing it', () => {
    const reference = loadLlamaReference('llama')
    const model = createSequenceClassifier(reference.config, reference.weights, { seed: 0 })
    created.push(model)
    const prefix: AttentionPrefix = {
      length: 3,
      keyValues: (batchSize) => reference.prefix.map(({ key, value }) => ({
        key: tf.tensor4d([key]).tile([batchSize, 1, 1, 1]) as tf.Tensor4D,
        value: tf.tensor4d([value]).tile([batchSize, 1, 1, 1]) as tf.Tensor4D,
      })),
    }
    model.attentionPrefix = prefix
    const actual = model.forward(inputs(reference.inputIds, reference.attentionMask), { training: false }).arraySync()
    reference.prefixLogits.forEach((row, r) => row.forEach((value, c) => expect(Math.abs(actual[r]![c]! - value), `[${r}, ${c}]`).toBeLessThan(1e-4)))
  })
})

describe('llama config', () => {
  it('reads HF config.json (GQA, llama3 rope scaling) and writes it back', () => {
    const { config } = loadLlamaReference('llama-rope-llama3')
    expect(config).toMatchObject({
      modelType: 'llama', hiddenSize: 32, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 8, ropeTheta: 500, padTokenId: 0,
      ropeScaling: { ropeType: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 64 },
    })
    expect(parseLlamaConfig(llamaConfigToJson(config))).toEqual(config)
    expect(parseModelConfig(llamaConfigToJson(config))).toEqual(config)
  })

  it('fills LlamaConfig defaults: no GQA, no pad token when config.json has none', () => {
    const config = parseLlamaConfig({ model_type: 'llama', vocab_size: 50, hidden_size: 64, num_attention_heads: 8, pad_token_id: null, eos_token_id: [2, 3] })
    expect(config).toMatchObject({ numKeyValueHeads: 8, headDim: 8, rmsNormEps: 1e-6, ropeTheta: 10000, ropeScaling: null, padTokenId: null, eosTokenId: [2, 3] })
    const model = create({ ...tinyLlamaConfig(), padTokenId: null })
    expect(model.forward(tinyBatch(), { training: false }).shape).toEqual([4, 4])
  })

  it('names what it does not support', () => {
    const base = { model_type: 'llama', vocab_size: 50 }
    expect(() => parseLlamaConfig({ ...base, attention_bias: true })).toThrow(/attention_bias true is not supported/)
    expect(() => parseLlamaConfig({ ...base, hidden_act: 'gelu' })).toThrow(/hidden_act "gelu"/)
    expect(() => parseLlamaConfig({ ...base, rope_scaling: { type: 'linear', factor: 2 } })).toThrow(/rope_scaling type "linear"/)
    expect(() => parseLlamaConfig({ ...base, num_attention_heads: 8, num_key_value_heads: 3 })).toThrow(/multiple of num_key_value_heads 3/)
    expect(() => parseModelConfig({ model_type: 'gpt2' })).toThrow(/use bert, roberta, distilbert or llama/)
  })

  it('scales rotary frequencies as Llama 3 does: short wavelengths kept, long ones divided by factor', () => {
    const { config } = loadLlamaReference('llama-rope-llama3')
    const scaled = inverseFrequencies(config)
    const plain = inverseFrequencies({ ...config, ropeScaling: null })
    expect(scaled[0]).toBe(plain[0])
    expect(scaled[1]).toBeLessThan(plain[1]!)
    expect(scaled[1]).toBeGreaterThan(plain[1]! / 8)
    expect(scaled[2]).toBeCloseTo(plain[2]! / 8, 10)
    expect(scaled[3]).toBeCloseTo(plain[3]! / 8, 10)
  })
})

describe('llama parameters', () => {
  it('names parameters and linear layers as HF does, with no biases', () => {
    const model = create()
    expect(model.basePrefix).toBe('model')
    expect(model.headModules).toEqual(['score'])
    expect(model.weight('model.layers.1.self_attn.q_proj.weight').shape).toEqual([16, 16])
    expect(model.weight('model.layers.1.self_attn.k_proj.weight').shape).toEqual([8, 16]) // 2 kv heads × 4
    expect(model.weight('model.layers.0.mlp.down_proj.weight').shape).toEqual([16, 32])
    expect(model.weight('score.weight').shape).toEqual([4, 16])
    expect([...model.parameters.keys()].some((name) => name.endsWith('.bias'))).toBe(false)
    expect(model.linearLayerNames()).toEqual([
      ...[0, 1].flatMap((i) => ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj']
        .map((name) => `model.layers.${i}.${name}`)),
      'score',
    ])
    // RMSNorm weights start at one, the pad token's embedding row at zero (padding_idx).
    expect(Array.from(model.weight('model.layers.0.input_layernorm.weight').dataSync()).every((value) => value === 1)).toBe(true)
    expect(Array.from(model.weight('model.embed_tokens.weight').dataSync().slice(0, 16)).every((value) => value === 0)).toBe(true)
  })

  it('loads a causal-LM checkpoint saved without the `model.` prefix, leaving score new and lm_head unused', () => {
    const reference = loadLlamaReference('llama')
    const causalLm = new Map([...reference.weights].filter(([name]) => name !== 'score.weight').map(([name, tensor]) => [name.replace(/^model\./, ''), tensor]))
    causalLm.set('lm_head.weight', reference.weights.get('model.embed_tokens.weight')!)
    const model = createSequenceClassifier(reference.config, causalLm, { seed: 0 })
    created.push(model)
    expect(model.loadReport).toEqual({ initialized: ['score.weight'], unused: ['lm_head.weight'] })
  })
})

describe('llama forward', () => {
  it('is causal: a token changes no hidden state before it', () => {
    const model = create()
    const hidden = (ids: number[]) => model.encode(inputs([ids], [ids.map(() => 1)]), { training: false }).lastHiddenState.arraySync()[0]!
    const original = hidden([5, 9, 14, 3, 22, 7])
    const changed = hidden([5, 9, 14, 11, 22, 7])
    for (let position = 0; position < 3; position++) expect(changed[position]).toEqual(original[position])
    expect(changed[3]).not.toEqual(original[3])
  })

  it('classifies a sequence the same unpadded, right-padded (any pad ids) and left-padded', () => {
    const model = create()
    const logits = (ids: number[], mask: number[]) => model.forward(inputs([ids], [mask]), { training: false }).arraySync()[0]!
    const unpadded = logits([5, 9, 14, 3], [1, 1, 1, 1])
    const close = (actual: number[]) => actual.forEach((value, i) => expect(value).toBeCloseTo(unpadded[i]!, 5))
    close(logits([5, 9, 14, 3, 0, 0], [1, 1, 1, 1, 0, 0]))
    close(logits([5, 9, 14, 3, 17, 8], [1, 1, 1, 1, 0, 0]))
    // Left padding shifts the rotary positions; attention depends only on distances, so nothing changes.
    close(logits([0, 0, 5, 9, 14, 3], [0, 0, 1, 1, 1, 1]))
  })

  it('pools the last real token for the head and exposes mean pooling too', () => {
    const model = create()
    const batch = tinyBatch()
    const { lastHiddenState, pooled } = model.encode(batch, { training: false })
    const hidden = lastHiddenState.arraySync()
    // tinyBatch's rows have 6, 5, 3 and 4 real tokens.
    expect(pooled.arraySync()).toEqual([hidden[0]![5], hidden[1]![4], hidden[2]![2], hidden[3]![3]])
    expect(model.encode(batch, { training: false, pooling: 'mean' }).pooled.shape).toEqual([4, 16])
  })
})

describe('llama memory', () => {
  it('leaves no tensors behind', () => {
    const model = create()
    const batch = tinyBatch()
    const before = tf.memory().numTensors
    tf.dispose(model.forward(batch, { training: true, seed: 1 }))
    const { lastHiddenState, pooled } = model.encode(batch, { training: false })
    tf.dispose([lastHiddenState, pooled])
    expect(tf.memory().numTensors).toBe(before)
  })

  it('frees each layer\'s intermediates in inference: a deeper model keeps only one more hidden state per layer', () => {
    const hiddenSize = 64
    const liveAtHead = (numHiddenLayers: number) => {
      const model = create(tinyLlamaConfig({ hiddenSize, intermediateSize: 128, headDim: 16, numHiddenLayers }))
      let live = 0
      model.adapters.set('score', { forward: (x, base) => { live = tf.memory().numBytes; return base(x) } })
      const before = tf.memory().numBytes
      tf.dispose(model.forward(tinyBatch(), { training: false }))
      return live - before
    }
    const tokens = 4 * 6
    expect(liveAtHead(8) - liveAtHead(1)).toBeLessThanOrEqual(7 * tokens * hiddenSize * 4)
  })
})

describe('llama training', () => {
  it('analytic gradients match finite differences', () => {
    const model = create(tinyLlamaConfig(), 2)
    const batch = tinyBatch()
    const loss = () => crossEntropy(model.forward(batch, { training: true, seed: 11 }), TINY_LABELS)
    const usedToken = batch.inputIds.arraySync()[0]![1]!
    const checks: Array<[string, number]> = [
      ['model.embed_tokens.weight', usedToken * 16 + 3],
      ['model.layers.0.self_attn.q_proj.weight', 17],
      ['model.layers.0.self_attn.k_proj.weight', 21],
      ['model.layers.1.mlp.gate_proj.weight', 40],
      ['model.layers.0.input_layernorm.weight', 5],
      ['model.norm.weight', 2],
      ['score.weight', 7],
    ]
    for (const [name, index] of checks) {
      const { analytic, numeric } = compareGradient(loss, model.weight(name), index)
      expect(Math.abs(analytic), name).toBeGreaterThan(1e-4)
      expect(Math.abs(analytic - numeric), `${name}[${index}]: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric))
    }
  })

  it('overfits a tiny batch with Adam (full fine-tuning)', () => {
    const model = create(tinyLlamaConfig(), 3)
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
