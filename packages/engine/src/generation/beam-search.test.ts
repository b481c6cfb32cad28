import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import type { LlamaConfig } from '../models/llama-config'
import { tinyLlamaConfig } from '../models/testing/llama-fixtures'
import { applyPeft } from '../peft'
import { beamSearch } from './beam-search'
import { IGNORE_INDEX, createCausalLM, tokenLogLikelihoods } from './causal-lm'
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

const PAD = 0
const BOS = 1
const EOS = 2
const A = 3
const B = 4
const C = 5
const D = 6
/** Next-token probabilities after each token; what a row leaves out is shared evenly by the tokens it does not name. */
const BIGRAM: Record<number, Record<number, number>> = {
  [BOS]: { [A]: 0.5, [B]: 0.4, [C]: 0.04, [D]: 0.04, [EOS]: 0.01 },
  // Greedy takes A (0.5) and then ends: 0.5 · 0.34 = 0.17. B then EOS is 0.4 · 0.9 = 0.36, as long, and more likely.
  [A]: { [EOS]: 0.34, [C]: 0.3, [D]: 0.3 },
  [B]: { [EOS]: 0.9 },
  [C]: { [EOS]: 0.9 },
  [D]: { [EOS]: 0.9 },
}
const VOCAB = 7
const HIDDEN = 8

function bigramRow(token: number): number[] {
  const named = BIGRAM[token] ?? {}
  const rest = 1 - Object.values(named).reduce((sum, p) => sum + p, 0)
  const unnamed = VOCAB - Object.keys(named).length
  return Array.from({ length: VOCAB }, (_, next) => named[next] ?? rest / unnamed)
}

/**
 * A hand-built decoder that is a bigram model: every layer's weights are zero (attention and MLP add nothing to
 * the residual), the embeddings are one-hot, the final norm undoes RMS scaling, so the next-token logits are
 * lm_head's column for the last token: set to log P(next | last).
 */
function bigramLM(): CausalLM {
  const model = createCausalLM(tinyLlamaConfig({
    vocabSize: VOCAB, hiddenSize: HIDDEN, intermediateSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1, headDim: 4, tieWordEmbeddings: false,
  }), undefined, { seed: 1 })
  created.push(model)
  tf.tidy(() => {
    for (const variable of model.parameters.values()) variable.assign(tf.zerosLike(variable))
    model.weight('model.embed_tokens.weight').assign(tf.eye(VOCAB, HIDDEN))
    model.weight('model.norm.weight').assign(tf.fill([HIDDEN], 1 / Math.sqrt(HIDDEN)))
    const logTable = Array.from({ length: VOCAB }, (_, token) => bigramRow(token).map(Math.log))
    // lm_head.weight is [vocab, hidden]: row `next`, column `last`.
    model.weight('lm_head.weight').assign(tf.tensor2d(Array.from({ length: VOCAB }, (_, next) => Array.from({ length: HIDDEN }, (_, last) => logTable[last]?.[next] ?? 0))))
  })
  return model
}

/** The summed log-probability of `generated` after `prompt`, from one full forward pass without a cache. */
function fullForwardLogProbability(model: CausalLM, prompt: readonly number[], generated: readonly number[]): number {
  const ids = [...prompt, ...generated]
  const labels = [[...prompt.map(() => IGNORE_INDEX), ...generated]]
  const inputIds = tf.tensor2d([ids], undefined, 'int32')
  const attentionMask = tf.tensor2d([ids.map(() => 1)], undefined, 'int32')
  const [row] = tokenLogLikelihoods(model, inputIds, attentionMask, labels)
  tf.dispose([inputIds, attentionMask])
  return row!.reduce((sum, value) => sum + value, 0)
}

const PROMPTS = [[1, 5, 9, 13], [1, 22], [1, 3, 4, 5, 6, 7, 8]]

describe('beam search', () => {
  it('with one beam decodes as greedy does, token for token', () => {
    const model = tinyLM({ vocabSize: 30 }, 7)
    applyPeft(model, 'lora', { r: 2, init_lora_weights: false, target_modules: 'all-linear' })
    const options = { maxNewTokens: 8, eosTokenId: EOS, padTokenId: PAD }
    const greedy = greedyGenerate(model, PROMPTS, options)
    // Greedy's second token of the first prompt as EOS: that row stops early in both.
    const stopping = { ...options, eosTokenId: greedy.tokens[0]![1] ?? EOS }
    expect(beamSearch(model, PROMPTS, { ...options, numBeams: 1 }).tokens).toEqual(greedy.tokens)
    expect(beamSearch(model, PROMPTS, { ...stopping, numBeams: 1 }).tokens).toEqual(greedyGenerate(model, PROMPTS, stopping).tokens)
  })

  it('finds the more likely sequence that greedy misses, scored by its length-normalised log-probability', () => {
    const model = bigramLM()
    const options = { maxNewTokens: 5, eosTokenId: EOS, padTokenId: PAD }
    expect(greedyGenerate(model, [[BOS]], options).tokens).toEqual([[A, EOS]])
    const beam = beamSearch(model, [[BOS]], { ...options, numBeams: 2 })
    expect(beam.tokens).toEqual([[B, EOS]])
    const full = fullForwardLogProbability(model, [BOS], [B, EOS])
    expect(Math.abs(full - Math.log(0.36))).toBeLessThan(1e-4)
    expect(Math.abs(beam.logProbabilities[0]! - full)).toBeLessThan(1e-5)
    expect(Math.abs(beam.scores[0]! - full / 2)).toBeLessThan(1e-5)
    // length_penalty 0 ranks by the plain sum: the same winner here, its score the sum itself.
    const unnormalised = beamSearch(model, [[BOS]], { ...options, numBeams: 2, lengthPenalty: 0 })
    expect(unnormalised.tokens).toEqual([[B, EOS]])
    expect(Math.abs(unnormalised.scores[0]! - full)).toBeLessThan(1e-5)
  })

  it.each([2, 3])('with %i beams scores each answer by the log-probability a full forward pass gives it', (numBeams) => {
    const model = tinyLM({ vocabSize: 30 }, 11)
    const beam = beamSearch(model, PROMPTS, { maxNewTokens: 6, eosTokenId: EOS, padTokenId: PAD, numBeams })
    PROMPTS.forEach((prompt, i) => {
      const tokens = beam.tokens[i]!
      expect(tokens.length).toBeGreaterThanOrEqual(1)
      expect(tokens.length).toBeLessThanOrEqual(6)
      const full = fullForwardLogProbability(model, prompt, tokens)
      expect(Math.abs(beam.logProbabilities[i]! - full)).toBeLessThan(1e-4)
      expect(Math.abs(beam.scores[i]! - full / tokens.length)).toBeLessThan(1e-4)
    })
  })

  it('decodes a left-padded batch as it decodes each prompt alone', () => {
    const model = tinyLM({ vocabSize: 30 }, 3)
    const options = { maxNewTokens: 6, eosTokenId: EOS, padTokenId: PAD, numBeams: 3 }
    const batched = beamSearch(model, PROMPTS, options)
    PROMPTS.forEach((prompt, i) => {
      const alone = beamSearch(model, [prompt], options)
      expect(batched.tokens[i]).toEqual(alone.tokens[0])
      expect(Math.abs(batched.scores[i]! - alone.scores[0]!)).toBeLessThan(1e-4)
    })
    expect(batched.stepMs.length).toBeLessThanOrEqual(5)
  })

  it('refuses a beam count below one', () => {
    expect(() => beamSearch(tinyLM(), [[1, 2]], { maxNewTokens: 2, eosTokenId: EOS, padTokenId: PAD, numBeams: 0 })).toThrow(/num_beams/)
  })
})
