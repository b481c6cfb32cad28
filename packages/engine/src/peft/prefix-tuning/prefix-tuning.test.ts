import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../backend'
import { readSafetensors } from '../../io/safetensors'
import { ForwardContext, createSequenceClassifier } from '../../models'
import type { AttentionPrefix, EncoderModelType, LinearAdapter, SequenceClassifier } from '../../models'
import { multiHeadAttention } from '../../models/layers'
import { TINY_LABELS, crossEntropy, tinyBatch, tinyConfig } from '../../models/testing/fixtures'
import { loadAdapter, saveAdapter } from '../adapter-io'
import { applyPeft } from '../registry'
import type { PeftTokenizer } from '../types'
import { PrefixEncoder, prefixTuningConfigSchema } from '.'

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
function tinyModel(modelType: EncoderModelType = 'bert', seed = 1): SequenceClassifier {
  const model = createSequenceClassifier(tinyConfig(modelType, { hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 }), undefined, { seed })
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

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (value, i) => Math.abs(value - b[i]!)))

describe('prefix tuning config', () => {
  it('has HF PEFT\'s fields, with sizes inferred from the model', () => {
    expect(prefixTuningConfigSchema.parse({})).toEqual({
      num_virtual_tokens: 20, token_dim: null, num_transformer_submodules: null, num_attention_heads: null, num_layers: null,
      encoder_hidden_size: null, prefix_projection: false, prefix_init_text: null, modules_to_save: null, inference_mode: false,
    })
    expect(() => prefixTuningConfigSchema.parse({ num_virtual_tokens: 0 })).toThrow()
  })

  it('refuses sizes that disagree with the model', () => {
    expect(() => applyPeft(tinyModel(), 'prefix-tuning', { num_virtual_tokens: 2, token_dim: 32 })).toThrow(/token_dim 32 does not match this bert model's 16/)
  })
})

describe('attention with a prefix', () => {
  it('equals attention over [prefix; tokens] with the prefix always attended and padding still masked', () => {
    const [batch, seq, heads, headSize, prefixLength] = [2, 4, 2, 3, 3]
    const hidden = heads * headSize
    const context = new ForwardContext(false)
    const [query, key, value] = [1, 2, 3].map((seed) => tf.randomNormal([batch, seq, hidden], 0, 1, 'float32', seed))
    const [prefixKey, prefixValue] = [4, 5].map((seed) => tf.randomNormal([batch, heads, prefixLength, headSize], 0, 1, 'float32', seed) as tf.Tensor4D)
    const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 0, 0]], undefined, 'int32')
    const bias = tf.scalar(1).sub(mask.toFloat()).mul(-1e9).reshape([batch, 1, 1, seq]) as tf.Tensor4D
    const withPrefix = multiHeadAttention(query!, key!, value!, bias, heads, 0, context, { key: prefixKey!, value: prefixValue! })

    // The same thing spelled out: prefix rows joined to the keys and values as extra tokens, mask extended with ones.
    const asTokens = (perHead: tf.Tensor) => perHead.transpose([0, 2, 1, 3]).reshape([batch, prefixLength, hidden])
    const fullMask = tf.concat([tf.ones([batch, prefixLength], 'int32'), mask], 1)
    const fullBias = tf.scalar(1).sub(fullMask.toFloat()).mul(-1e9).reshape([batch, 1, 1, prefixLength + seq]) as tf.Tensor4D
    const paddedQuery = tf.concat([tf.zeros([batch, prefixLength, hidden]), query!], 1)
    const joined = multiHeadAttention(paddedQuery, tf.concat([asTokens(prefixKey!), key!], 1), tf.concat([asTokens(prefixValue!), value!], 1), fullBias, heads, 0, context)
    const expected = joined.slice([0, prefixLength, 0], [batch, seq, hidden])
    expect(maxDifference(withPrefix.dataSync(), expected.dataSync())).toBeLessThan(1e-5)
  })

  it('lays the prefixes out as PEFT\'s get_prompt does: [P, layers, key|value, heads, head size]', () => {
    const [tokens, layers, heads, headSize] = [2, 2, 2, 3]
    const width = layers * 2 * heads * headSize
    const table = tf.variable(tf.range(0, tokens * width).reshape([tokens, width]))
    const encoder = new PrefixEncoder(new Map([['prompt_encoder.embedding.weight', table]]), { numVirtualTokens: tokens, numLayers: layers, numHeads: heads, tokenDim: heads * headSize })
    const pairs = encoder.keyValues(3)
    expect(pairs).toHaveLength(layers)
    expect(pairs[1]!.value.shape).toEqual([3, heads, tokens, headSize])
    const [layer, kind, head, token, d] = [1, 1, 0, 1, 2]
    expect((pairs[layer]!.value.arraySync() as number[][][][])[2]![head]![token]![d]).toBe(token * width + ((layer * 2 + kind) * heads + head) * headSize + d)
    table.dispose()
  })

  it.each(['bert', 'roberta'] as const)('%s: real tokens\' positions start after the prefix, as HF counts on from past_key_values', (modelType) => {
    const prefixLength = 3
    const shifted = tinyModel(modelType)
    const position = shifted.weight(`${modelType}.embeddings.position_embeddings.weight`)
    const moved = tinyModel(modelType)
    moved.weight(`${modelType}.embeddings.position_embeddings.weight`).assign(tf.concat([position.slice(prefixLength), position.slice(0, prefixLength)]))
    // A prefix of length P with no key/value rows: only the position offset remains.
    const emptyPrefix: AttentionPrefix = {
      length: prefixLength,
      keyValues: (batchSize) => Array.from({ length: 2 }, () => ({ key: tf.zeros([batchSize, 2, 0, 8]) as tf.Tensor4D, value: tf.zeros([batchSize, 2, 0, 8]) as tf.Tensor4D })),
    }
    shifted.attentionPrefix = emptyPrefix
    expect(maxDifference(evalLogits(shifted, modelType), evalLogits(moved, modelType))).toBeLessThan(1e-5)
  })
})

describe('prefix tuning', () => {
  it('counts PEFT\'s parameters: P × layers × 2 × token_dim, or the embedding and MLP with prefix_projection', () => {
    const [tokens, layers, tokenDim, encoderHidden, head] = [5, 2, 16, 8, 4 * 16 + 4]
    const plain = tinyModel()
    const base = plain.countParameters()
    expect(applyPeft(plain, 'prefix-tuning', { num_virtual_tokens: tokens }).parameterCounts).toEqual({
      trainable: tokens * layers * 2 * tokenDim + head, total: base + tokens * layers * 2 * tokenDim,
    })
    const projected = applyPeft(tinyModel(), 'prefix-tuning', { num_virtual_tokens: tokens, prefix_projection: true, encoder_hidden_size: encoderHidden })
    const mlp = tokens * tokenDim + (tokenDim * encoderHidden + encoderHidden) + (encoderHidden * layers * 2 * tokenDim + layers * 2 * tokenDim)
    expect(projected.parameterCounts).toEqual({ trainable: mlp + head, total: base + mlp })
  })

  it.each([false, true])('computes gradients only for the prefixes and the head (prefix_projection %s)', (prefixProjection) => {
    const model = tinyModel()
    const applied = applyPeft(model, 'prefix-tuning', { num_virtual_tokens: 3, prefix_projection: prefixProjection })
    const batch = tinyBatch()
    const { grads } = tf.variableGrads(() => crossEntropy(model.forward(batch, { training: true, seed: 1 }), TINY_LABELS))
    const names = new Map([...model.parameters].map(([name, variable]) => [variable.name, name]))
    const reached = Object.keys(grads).map((variableName) => names.get(variableName)!).sort()
    expect(reached).toEqual([...applied.adapterWeights.keys()].sort())
    expect(reached.every((name) => name.startsWith('prompt_encoder.') || name.startsWith('classifier.'))).toBe(true)
    expect(reached).toHaveLength(prefixProjection ? 7 : 3)
    for (const name of reached) expect(Math.max(...Array.from(grads[model.weight(name).name]!.dataSync()).map(Math.abs)), name).toBeGreaterThan(0)
    tf.dispose(grads)
  })

  it('changes the logits, and leaves no tensors behind', () => {
    const model = tinyModel('distilbert')
    const base = evalLogits(model, 'distilbert')
    applyPeft(model, 'prefix-tuning', { num_virtual_tokens: 4, prefix_projection: true })
    const before = tf.memory().numTensors
    expect(maxDifference(evalLogits(model, 'distilbert'), base)).toBeGreaterThan(1e-3)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('learns a tiny batch through the prefixes alone', () => {
    const model = tinyModel('bert', 3)
    const applied = applyPeft(model, 'prefix-tuning', { num_virtual_tokens: 4 })
    // The head is frozen as well, so that the fit is the prefixes' doing.
    for (const variable of applied.trainableVariables) variable.trainable = !variable.name.includes('classifier')
    const batch = tinyBatch()
    const optimizer = tf.train.adam(0.05)
    let loss = Infinity
    for (let step = 0; step < 40; step++) {
      const cost = optimizer.minimize(() => crossEntropy(model.forward(batch, { training: true, seed: step }), TINY_LABELS), true, applied.trainableVariables.filter((variable) => variable.trainable))!
      loss = cost.dataSync()[0]!
      cost.dispose()
    }
    optimizer.dispose()
    expect(loss).toBeLessThan(0.1)
  })
})

describe('prefix tuning adapter files', () => {
  it('writes PEFT\'s layout: prompt_embeddings and the head under base_model.', () => {
    const model = tinyModel('distilbert')
    const files = saveAdapter(model, applyPeft(model, 'prefix-tuning', { num_virtual_tokens: 3 }), { baseModelNameOrPath: 'distilbert-base-uncased' })
    expect(files['adapter_config.json']).toEqual({
      peft_type: 'PREFIX_TUNING', task_type: 'SEQ_CLS', base_model_name_or_path: 'distilbert-base-uncased', revision: null, inference_mode: true,
      num_virtual_tokens: 3, token_dim: 16, num_transformer_submodules: 1, num_attention_heads: 2, num_layers: 2,
      encoder_hidden_size: 16, prefix_projection: false, modules_to_save: ['pre_classifier', 'classifier'],
    })
    const tensors = readSafetensors(files['adapter_model.safetensors']).tensors
    expect([...tensors.keys()].sort()).toEqual([
      'base_model.classifier.bias', 'base_model.classifier.weight', 'base_model.pre_classifier.bias', 'base_model.pre_classifier.weight', 'prompt_embeddings',
    ])
    expect(tensors.get('prompt_embeddings')!.shape).toEqual([3, 2 * 2 * 16])
  })

  it.each([
    ['bert', false], ['roberta', true], ['distilbert', true],
  ] as const)('%s (prefix_projection %s): save then load into a fresh base gives identical logits', (modelType, prefixProjection) => {
    const trained = tinyModel(modelType)
    const applied = applyPeft(trained, 'prefix-tuning', { num_virtual_tokens: 3, prefix_projection: prefixProjection, encoder_hidden_size: 8 }, { seed: 4 })
    for (const variable of applied.adapterWeights.values()) variable.assign(variable.add(tf.randomNormal(variable.shape, 0, 0.1, 'float32', 3)))
    const expected = evalLogits(trained, modelType)

    const files = saveAdapter(trained, applied)
    expect(readSafetensors(files['adapter_model.safetensors']).tensors.get('prompt_embeddings')!.shape).toEqual([3, 2 * 2 * 16])
    const fresh = tinyModel(modelType)
    const loaded = loadAdapter(fresh, files)
    // With prefix_projection the file holds the projected prefixes: they load as one embedding, as in PEFT's inference mode.
    expect(loaded.config).toMatchObject({ prefix_projection: prefixProjection, inference_mode: true })
    expect(maxDifference(evalLogits(fresh, modelType), expected)).toBeLessThan(1e-5)
  })
})

/** A word-level stand-in for the model's tokenizer: word w → id 5 + its letter count, inside [CLS] = 2 … [SEP] = 3. */
const wordTokenizer: PeftTokenizer = {
  encode: (text, { addSpecialTokens = true } = {}) => {
    const words = text.split(' ').map((word) => 5 + word.length)
    return addSpecialTokens ? [2, ...words, 3] : words
  },
}

/**
 * The model's own key and value outputs for `ids`, per layer, [seq, token_dim], read off its
 * key/value linear layers through PEFT's linear hook on a separate, identical model (not the
 * attention recording that prefix tuning itself uses).
 */
function keyValueActivations(modelType: EncoderModelType, seed: number, ids: number[]): Array<{ key: number[][]; value: number[][] }> {
  const model = tinyModel(modelType, seed)
  const names = (layer: number) => (modelType === 'distilbert'
    ? [`distilbert.transformer.layer.${layer}.attention.k_lin`, `distilbert.transformer.layer.${layer}.attention.v_lin`]
    : [`${modelType}.encoder.layer.${layer}.attention.self.key`, `${modelType}.encoder.layer.${layer}.attention.self.value`])
  const outputs = new Map<string, number[][]>()
  const recording = (name: string): LinearAdapter => ({
    forward: (x, base) => {
      const y = base(x)
      outputs.set(name, (y.arraySync() as number[][][])[0]!)
      return y
    },
  })
  const layers = [0, 1]
  for (const name of layers.flatMap(names)) model.adapters.set(name, recording(name))
  const inputIds = tf.tensor2d([ids], [1, ids.length], 'int32')
  tf.dispose([model.forward({ inputIds, attentionMask: tf.onesLike(inputIds) }, { training: false }), inputIds])
  return layers.map((layer) => ({ key: outputs.get(names(layer)[0]!)!, value: outputs.get(names(layer)[1]!)! }))
}

describe('prefix tuning prefix_init_text', () => {
  const tokenDim = 16

  it.each([
    // 3 words, 5 virtual tokens: the rows repeat as PEFT repeats prompt_tuning_init_text's ids.
    ['bert', 'card payment failed', 5, [2, 9, 12, 11, 3], [1, 2, 3, 1, 2]],
    ['distilbert', 'card payment failed', 5, [2, 9, 12, 11, 3], [1, 2, 3, 1, 2]],
    // 6 words, 4 virtual tokens: the text is cut to its first 4 tokens before it runs.
    ['roberta', 'why was my card payment declined', 4, [2, 8, 8, 7, 9, 3], [1, 2, 3, 4]],
  ] as const)('%s: virtual token i holds the model\'s own key and value of the text\'s i-th token at every layer', (modelType, text, tokens, runIds, positions) => {
    const model = tinyModel(modelType, 5)
    applyPeft(model, 'prefix-tuning', { num_virtual_tokens: tokens, prefix_init_text: text }, { seed: 7, tokenizer: wordTokenizer })
    const embedding = model.weight('prompt_encoder.embedding.weight').arraySync() as number[][]
    expect(embedding).toHaveLength(tokens)
    const activations = keyValueActivations(modelType, 5, [...runIds])
    positions.forEach((position, token) => {
      // PEFT's layout: per virtual token, layer 0 key, layer 0 value, layer 1 key, layer 1 value, each token_dim wide.
      const expected = activations.flatMap(({ key, value }) => [...key[position]!, ...value[position]!])
      expect(maxDifference(embedding[token]!, expected), `virtual token ${token}`).toBeLessThan(1e-5)
    })
    // The PrefixEncoder hands layer 1's value of virtual token 0 as the model's own value of the first word.
    const pairs = model.attentionPrefix!.keyValues(1, new ForwardContext(false))
    const headSize = tokenDim / 2
    const head1 = (pairs[1]!.value.arraySync() as number[][][][])[0]![1]![0]!
    expect(maxDifference(head1, activations[1]!.value[positions[0]]!.slice(headSize, 2 * headSize))).toBeLessThan(1e-5)
  })

  it('leaves PEFT\'s random N(0, 1) prefixes bit-identical when null', () => {
    const [tokens, seed, width] = [4, 3, 2 * 2 * tokenDim]
    const model = tinyModel()
    applyPeft(model, 'prefix-tuning', { num_virtual_tokens: tokens }, { seed, tokenizer: wordTokenizer })
    const expected = tf.randomNormal([tokens, width], 0, 1, 'float32', seed * 100_003)
    expect(Array.from(model.weight('prompt_encoder.embedding.weight').dataSync())).toEqual(Array.from(expected.dataSync()))
    expected.dispose()
  })

  it('is refused with prefix_projection, and without a tokenizer', () => {
    expect(() => applyPeft(tinyModel(), 'prefix-tuning', { prefix_init_text: 'card', prefix_projection: true }, { seed: 0, tokenizer: wordTokenizer }))
      .toThrow(/prefix_init_text.*prefix_projection/)
    expect(() => applyPeft(tinyModel(), 'prefix-tuning', { prefix_init_text: 'card' })).toThrow(/needs the model's tokenizer/)
  })

  it('leaves no tensors behind', () => {
    const model = tinyModel()
    const before = tf.memory().numTensors
    applyPeft(model, 'prefix-tuning', { num_virtual_tokens: 3, prefix_init_text: 'card payment' }, { seed: 0, tokenizer: wordTokenizer })
    // The prefix embedding and nothing else: the text's run and its recorded keys and values are freed.
    expect(tf.memory().numTensors).toBe(before + 1)
  })
})
