import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { PEFT_METHODS, applyPeft, loadAdapter, loraConfigSchema, mergeLora, saveAdapter, targetLayers, unmergeLora } from '../peft'
import { QuantizedLinear } from '../peft/qlora'
import type { LlamaConfig } from './llama-config'
import { createSequenceClassifier } from './sequence-classifier'
import type { SequenceClassifier } from './sequence-classifier'
import { TINY_LABELS, crossEntropy, tinyBatch } from './testing/fixtures'
import { tinyLlamaConfig } from './testing/llama-fixtures'

beforeAll(async () => {
  await initBackend()
})

const created: SequenceClassifier[] = []
function tinyLlama(seed = 1, config: LlamaConfig = tinyLlamaConfig()): SequenceClassifier<LlamaConfig> {
  const model = createSequenceClassifier(config, undefined, { seed })
  created.push(model)
  return model
}
afterEach(() => created.splice(0).forEach((model) => model.dispose()))

const evalLogits = (model: SequenceClassifier) => model.forward(tinyBatch(), { training: false }).arraySync().flat()
/** Each entry is one case: PEFT's default pair of attention projections, and every linear layer. */
const TARGETS: Array<[string[] | string]> = [[['q_proj', 'v_proj']], ['all-linear']]
const layersOf = (names: string[]) => [0, 1].flatMap((i) => names.map((name) => `model.layers.${i}.${name}`))

describe('LoRA on Llama', () => {
  it('targets q_proj and v_proj by default, as PEFT does for llama; all-linear takes every projection but score', () => {
    const model = tinyLlama()
    expect(targetLayers(model, loraConfigSchema.parse({}))).toEqual(layersOf(['self_attn.q_proj', 'self_attn.v_proj']))
    expect(targetLayers(model, loraConfigSchema.parse({ target_modules: 'all-linear' }))).toEqual(model.linearLayerNames().filter((name) => name !== 'score'))
  })

  it.each(TARGETS)('B = 0 (target_modules %j) leaves the logits exactly as the base model', (targets) => {
    const model = tinyLlama()
    const base = evalLogits(model)
    applyPeft(model, 'lora', { target_modules: targets })
    expect(evalLogits(model)).toEqual(base)
  })

  it.each(TARGETS)('merged equals unmerged (target_modules %j), and unmerge restores the weights', (targets) => {
    const model = tinyLlama()
    applyPeft(model, 'lora', { r: 4, lora_alpha: 16, init_lora_weights: false, target_modules: targets })
    const downProj = model.weight('model.layers.1.mlp.down_proj.weight')
    const baseWeight = Array.from(downProj.dataSync())
    const unmerged = evalLogits(model)
    expect(unmerged).not.toEqual(evalLogits(tinyLlama()))
    mergeLora(model)
    evalLogits(model).forEach((value, i) => expect(Math.abs(value - unmerged[i]!)).toBeLessThan(1e-5))
    unmergeLora(model)
    Array.from(downProj.dataSync()).forEach((value, i) => expect(Math.abs(value - baseWeight[i]!)).toBeLessThan(1e-6))
    evalLogits(model).forEach((value, i) => expect(Math.abs(value - unmerged[i]!)).toBeLessThan(1e-5))
  })

  it('computes gradients only for LoRA weights and score', () => {
    const model = tinyLlama()
    const applied = applyPeft(model, 'lora', { r: 4, target_modules: 'all-linear' })
    const batch = tinyBatch()
    const { grads } = tf.variableGrads(() => crossEntropy(model.forward(batch, { training: true, seed: 1 }), TINY_LABELS))
    const named = new Map([...model.parameters].map(([name, variable]) => [variable.name, name]))
    const withGradient = Object.keys(grads).map((variableName) => named.get(variableName)!)
    tf.dispose(grads)
    expect(withGradient.sort()).toEqual([...applied.adapterWeights.keys()].sort())
    expect(withGradient.every((name) => name === 'score.weight' || /\.lora_[AB]\.weight$/.test(name))).toBe(true)
    // 7 projections × 2 layers × (A and B), and the head.
    expect(withGradient).toHaveLength(7 * 2 * 2 + 1)
  })

  it('saves score as modules_to_save and the adapter in PEFT key names, and loads it back', () => {
    const model = tinyLlama()
    const applied = applyPeft(model, 'lora', { r: 2, init_lora_weights: false })
    const files = saveAdapter(model, applied)
    expect(files['adapter_config.json']).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', target_modules: ['q_proj', 'v_proj'], modules_to_save: ['score'] })
    const reloaded = tinyLlama()
    loadAdapter(reloaded, files)
    expect(reloaded.weight('model.layers.0.self_attn.v_proj.lora_B.weight').dataSync()).toEqual(model.weight('model.layers.0.self_attn.v_proj.lora_B.weight').dataSync())
    expect(evalLogits(reloaded)).toEqual(evalLogits(model))
  })

  it('overfits a tiny batch when only LoRA and score train', () => {
    const model = tinyLlama(3)
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

/**
 * How each registered method starts out on Llama. Most start as the identity and must
 * reproduce the base logits; QLoRA starts as the identity on its 4-bit weights, so it
 * reproduces a twin whose weights are the dequantized ones; prefix tuning has no
 * identity start (the prefix is attended from the first step), so it must only change
 * the logits while training just the prefix and the head. A method without Llama
 * support must refuse it by name (`unsupported`). A newly registered method fails here
 * until it says which it is.
 */
type StartCheck = (model: SequenceClassifier<LlamaConfig>, base: number[]) => void

const expectBase: StartCheck = (model, base) => evalLogits(model).forEach((value, i) => expect(Math.abs(value - base[i]!), `logit ${i}`).toBeLessThan(1e-5))

const START_ON_LLAMA: Record<string, { config: Record<string, unknown>; check: StartCheck } | { unsupported: RegExp }> = {
  adapter: { config: { hidden_size: 8 }, check: expectBase },
  full: { config: {}, check: expectBase },
  lora: { config: { target_modules: 'all-linear' }, check: expectBase },
  ia3: { config: {}, check: expectBase },
  qlora: {
    config: { target_modules: 'all-linear' },
    check: (model) => {
      const twin = tinyLlama()
      for (const [layer, adapter] of model.adapters) {
        if (adapter instanceof QuantizedLinear) tf.tidy(() => twin.weight(`${layer}.weight`).assign(adapter.weight.dequantize()))
      }
      expect(evalLogits(model)).toEqual(evalLogits(twin))
    },
  },
  'prefix-tuning': {
    config: { num_virtual_tokens: 3 },
    check: (model, base) => {
      const logits = evalLogits(model)
      expect(logits.every(Number.isFinite)).toBe(true)
      expect(logits).not.toEqual(base)
      const trainable = [...model.parameters].filter(([, variable]) => variable.trainable).map(([name]) => name)
      expect(trainable.sort()).toEqual(['prompt_encoder.embedding.weight', 'score.weight'])
    },
  },
}

describe('every registered PEFT method on Llama', () => {
  it.each(Object.keys(PEFT_METHODS))('%s applies to Llama and starts out as it promises', (method) => {
    const start = START_ON_LLAMA[method]
    expect(start, `add how ${method} starts out on Llama to START_ON_LLAMA`).toBeDefined()
    const model = tinyLlama()
    if ('unsupported' in start!) {
      expect(() => applyPeft(model, method)).toThrow(start.unsupported)
      return
    }
    const base = evalLogits(model)
    const applied = applyPeft(model, method, start!.config)
    expect(applied.parameterCounts.trainable).toBeGreaterThan(0)
    start!.check(model, base)
  })
})
