import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { applyPeft, mergeLora } from '../peft'
import type { LlamaConfig } from '../models/llama-config'
import { compareGradient } from '../models/testing/gradient-check'
import { tinyLlamaConfig } from '../models/testing/llama-fixtures'
import { IGNORE_INDEX, causalForward, causalLmLoss, createCausalLM, tokenLogLikelihoods } from './causal-lm'
import type { CausalLM } from './causal-lm'
import { greedyGenerate } from './generate'

beforeAll(async () => {
  await initBackend()
})

const created: CausalLM[] = []
function tinyLM(overrides: Partial<LlamaConfig> = {}, seed = 1): CausalLM {
  const model = createCausalLM(tinyLlamaConfig({ initializerRange: 0.5, ...overrides }), undefined, { seed })
  created.push(model)
  return model
}
afterEach(() => created.splice(0).forEach((model) => model.dispose()))

const IDS = [[1, 5, 9, 13, 7, 2], [1, 22, 4, 8, 0, 0]]
const MASK = [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]
/** The prompt (first two tokens) and padding are ignored. */
const LABELS = IDS.map((row, r) => row.map((id, t) => (t < 2 || MASK[r]![t] === 0 ? IGNORE_INDEX : id)))
const inputs = () => ({ ids: tf.tensor2d(IDS, undefined, 'int32'), mask: tf.tensor2d(MASK, undefined, 'int32'), labels: tf.tensor2d(LABELS, undefined, 'int32') })
const logitsOf = (model: CausalLM) => tf.tidy(() => {
  const { ids, mask } = inputs()
  return causalForward(model, ids, mask, { training: false }).logits.arraySync()
})

describe('Llama causal LM', () => {
  it.each([false, true])('the loss (tie_word_embeddings %s) has the gradient finite differences give', (tied) => {
    const model = tinyLM({ tieWordEmbeddings: tied })
    expect(model.parameters.has('lm_head.weight')).toBe(!tied)
    const loss = () => tf.tidy(() => {
      const { ids, mask, labels } = inputs()
      return causalLmLoss(causalForward(model, ids, mask, { training: false }).logits, labels)
    })
    const names = ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.layers.1.mlp.down_proj.weight', 'model.norm.weight', ...(tied ? [] : ['lm_head.weight'])]
    for (const name of names) {
      const variable = model.weight(name)
      // Embedding rows of tokens the batch uses (5 and 9); elsewhere an early and a late entry.
      const indices = name === 'model.embed_tokens.weight' ? [5 * 16 + 3, 9 * 16 + 7] : [3, variable.size - 3]
      for (const index of indices) {
        const { analytic, numeric } = compareGradient(loss, variable, index, 1e-2)
        expect(analytic).not.toBe(0)
        expect(Math.abs(analytic - numeric)).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric))
      }
    }
  })

  it('the loss is the mean negative log-likelihood of the shifted, non-ignored labels', () => {
    const model = tinyLM()
    const loss = tf.tidy(() => {
      const { ids, mask, labels } = inputs()
      return causalLmLoss(causalForward(model, ids, mask, { training: false }).logits, labels).dataSync()[0]!
    })
    const perToken = tokenLogLikelihoods(model, tf.tensor2d(IDS, undefined, 'int32'), tf.tensor2d(MASK, undefined, 'int32'), LABELS)
    expect(perToken.map((row) => row.length)).toEqual([4, 2])
    const mean = -perToken.flat().reduce((sum, value) => sum + value, 0) / 6
    expect(Math.abs(loss - mean)).toBeLessThan(1e-5)
  })

  it('its pooled head is the last real position of the per-token logits', () => {
    const model = tinyLM()
    const pooled = tf.tidy(() => model.forward({ inputIds: tf.tensor2d(IDS, undefined, 'int32'), attentionMask: tf.tensor2d(MASK, undefined, 'int32') }, { training: false }).arraySync())
    const perToken = logitsOf(model)
    pooled[0]!.forEach((value, i) => expect(Math.abs(value - perToken[0]![5]![i]!)).toBeLessThan(1e-5))
    pooled[1]!.forEach((value, i) => expect(Math.abs(value - perToken[1]![3]![i]!)).toBeLessThan(1e-5))
  })

  it.each([['q_proj', 'v_proj'], 'all-linear'])('LoRA with B = 0 (%j) gives the base logits exactly, and trains only A and B', (targets) => {
    const model = tinyLM({ tieWordEmbeddings: false })
    const base = logitsOf(model)
    const applied = applyPeft(model, 'lora', { r: 4, target_modules: targets })
    expect(logitsOf(model)).toEqual(base)
    expect([...applied.adapterWeights.keys()].every((name) => /\.lora_[AB]\.weight$/.test(name))).toBe(true)
    expect([...applied.adapterWeights.keys()].some((name) => name.startsWith('lm_head'))).toBe(false)
  })
})

describe('greedy generation', () => {
  it.each([false, true])('with and without the key/value cache gives the same tokens and logits (tied %s)', (tied) => {
    const model = tinyLM({ tieWordEmbeddings: tied, vocabSize: 30 }, 7)
    applyPeft(model, 'lora', { r: 2, init_lora_weights: false, target_modules: 'all-linear' })
    const prompts = [[1, 5, 9, 13], [1, 22], [1, 3, 4, 5, 6, 7, 8]]
    const options = { maxNewTokens: 8, eosTokenId: 2, padTokenId: 0, recordLogits: true }
    const cached = greedyGenerate(model, prompts, options)
    const uncached = greedyGenerate(model, prompts, { ...options, useCache: false })
    expect(cached.tokens).toEqual(uncached.tokens)
    expect(cached.logits!.length).toBe(uncached.logits!.length)
    cached.logits!.flat(2).forEach((value, i) => expect(Math.abs(value - uncached.logits!.flat(2)[i]!)).toBeLessThan(1e-4))
    expect(cached.tokens.every((row) => row.length >= 1 && row.length <= 8)).toBe(true)
  })

  it('merged LoRA decodes the same tokens as unmerged', () => {
    const model = tinyLM({}, 9)
    applyPeft(model, 'lora', { r: 2, init_lora_weights: false, target_modules: 'all-linear' })
    const options = { maxNewTokens: 6, eosTokenId: 2, padTokenId: 0, recordLogits: true }
    const unmerged = greedyGenerate(model, [[1, 5, 9], [1, 22, 4, 8]], options)
    mergeLora(model)
    const merged = greedyGenerate(model, [[1, 5, 9], [1, 22, 4, 8]], options)
    expect(merged.tokens).toEqual(unmerged.tokens)
    merged.logits!.flat(2).forEach((value, i) => expect(Math.abs(value - unmerged.logits!.flat(2)[i]!)).toBeLessThan(1e-4))
  })

  it('a batched row generates what it generates alone (left padding changes nothing)', () => {
    const model = tinyLM({}, 3)
    const options = { maxNewTokens: 6, eosTokenId: 2, padTokenId: 0, recordLogits: true }
    const batched = greedyGenerate(model, [[1, 5, 9, 13, 17], [1, 22]], options)
    const alone = greedyGenerate(model, [[1, 22]], options)
    expect(batched.tokens[1]).toEqual(alone.tokens[0])
    alone.logits![0]![0]!.forEach((value, i) => expect(Math.abs(value - batched.logits![0]![1]![i]!)).toBeLessThan(1e-4))
  })

  it('stops a row at EOS and times every step', () => {
    const model = tinyLM({}, 5)
    const free = greedyGenerate(model, [[1, 5]], { maxNewTokens: 4, eosTokenId: -1, padTokenId: 0 })
    expect(free.tokens[0]).toHaveLength(4)
    expect(free.stepMs).toHaveLength(3)
    const eos = free.tokens[0]![1]!
    const stopped = greedyGenerate(model, [[1, 5]], { maxNewTokens: 4, eosTokenId: eos, padTokenId: 0 })
    expect(stopped.tokens[0]).toEqual(free.tokens[0]!.slice(0, free.tokens[0]!.indexOf(eos) + 1))
  })
})
