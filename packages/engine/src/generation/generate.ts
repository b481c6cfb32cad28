/**
 * Greedy decoding for a causal LM, batched with left padding: the prompt is run once
 * (prefill), then one token per step. With the key/value cache (the default) a step
 * feeds only the newest token and attends to the cached keys and values; without it
 * every step reruns the whole sequence (what the cache avoids; the tests check the two
 * give the same tokens and logits).
 */
import * as tf from '@tensorflow/tfjs'
import { causalForward, disposeCache } from './causal-lm'
import type { CausalLM, KeyValueCache } from './causal-lm'

export interface GenerateOptions {
  maxNewTokens: number
  /** Generation of a row stops after it produces this token (kept in its output). */
  eosTokenId: number
  /** Fills the left padding of short prompts and the steps after a row's EOS. */
  padTokenId: number
  /** Default true. */
  useCache?: boolean
  /** Keep each step's next-token logits (tests). */
  recordLogits?: boolean
}

export interface GenerationResult {
  /** Per prompt, the generated ids up to and including EOS (or maxNewTokens of them). */
  tokens: number[][]
  /** Per step, the next-token logits [batch][vocab], when recordLogits. */
  logits?: number[][][]
  /** Wall time of the prompt pass, ms. */
  prefillMs: number
  /** Wall time of each later step (one new token per row), ms. */
  stepMs: number[]
  /** Prefill and steps, ms. */
  totalMs: number
}

export function greedyGenerate(model: CausalLM, prompts: readonly (readonly number[])[], options: GenerateOptions): GenerationResult {
  const { maxNewTokens, eosTokenId, padTokenId, useCache = true, recordLogits = false } = options
  const batch = prompts.length
  const width = Math.max(1, ...prompts.map((prompt) => prompt.length))
  // Left padding: every row's next token is at the same (last) position.
  const sequences = prompts.map((prompt) => [...Array<number>(width - prompt.length).fill(padTokenId), ...prompt])
  const mask = prompts.map((prompt) => [...Array<number>(width - prompt.length).fill(0), ...Array<number>(prompt.length).fill(1)])
  const tokens: number[][] = prompts.map(() => [])
  const done = prompts.map(() => false)
  const logits: number[][][] = []
  const stepMs: number[] = []
  let prefillMs = 0
  let cache: KeyValueCache | undefined
  const started = performance.now()
  try {
    for (let step = 0; step < maxNewTokens && done.some((finished) => !finished); step++) {
      const stepStarted = performance.now()
      const feed = useCache && cache ? sequences.map((row) => row.slice(-1)) : sequences
      const inputIds = tf.tensor2d(feed, [batch, feed[0]!.length], 'int32')
      const attentionMask = tf.tensor2d(mask, [batch, mask[0]!.length], 'int32')
      const output = causalForward(model, inputIds, attentionMask, { training: false, cache, useCache })
      tf.dispose([inputIds, attentionMask])
      disposeCache(cache)
      cache = output.cache
      const seq = output.logits.shape[1]
      const last = tf.tidy(() => output.logits.slice([0, seq - 1, 0], [batch, 1, -1]).reshape([batch, -1]))
      output.logits.dispose()
      const best = tf.tidy(() => last.argMax(1))
      const next = Array.from(best.dataSync())
      if (recordLogits) logits.push(last.arraySync() as number[][])
      tf.dispose([last, best])
      next.forEach((token, row) => {
        const emitted = done[row] ? padTokenId : token
        if (!done[row]) tokens[row]!.push(token)
        if (token === eosTokenId) done[row] = true
        sequences[row]!.push(emitted)
        mask[row]!.push(1)
      })
      const elapsed = performance.now() - stepStarted
      if (step === 0) prefillMs = elapsed
      else stepMs.push(elapsed)
    }
  } finally {
    disposeCache(cache)
  }
  return { tokens, ...(recordLogits && { logits }), prefillMs, stepMs, totalMs: performance.now() - started }
}
