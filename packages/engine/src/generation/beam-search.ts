/**
 * Beam search for a causal LM with the key/value cache, as HF's `generate(num_beams=K)`
 * does it (length_penalty 1.0, early_stopping false): each prompt keeps K live beams;
 * a step scores every beam's every next token by its summed log-probability, keeps the
 * 2K best, and takes them in order: a candidate ending in EOS (among the first K)
 * becomes a finished hypothesis scored `sum log p / length ** lengthPenalty` (length:
 * the generated tokens, EOS included), the others become the next K beams. A prompt is
 * done once it has K finished hypotheses and none can be beaten, judged as HF does on
 * the step's best sum at the current length; at `maxNewTokens` its live beams join the
 * hypotheses. The answer is the best-scoring hypothesis.
 *
 * Batched with left padding like greedy decoding. The prompt pass runs once per prompt
 * and its cache is then copied to the K beams (a gather along the batch axis, the same
 * gather that reorders beams at every later step).
 */
import * as tf from '@tensorflow/tfjs'
import { causalForward, disposeCache } from './causal-lm'
import type { CausalLM, KeyValueCache } from './causal-lm'
import type { GenerateOptions, GenerationResult } from './generate'

export interface BeamSearchOptions extends Omit<GenerateOptions, 'useCache' | 'recordLogits'> {
  /** Beams per prompt, >= 1 (1 decodes as greedy does, token for token). */
  numBeams: number
  /** HF's length_penalty: a hypothesis scores sum log p / length ** lengthPenalty. Default 1. */
  lengthPenalty?: number
}

export interface BeamSearchResult extends Omit<GenerationResult, 'logits'> {
  /** Per prompt, the chosen hypothesis' length-normalised score (HF's sequences_scores). */
  scores: number[]
  /** Per prompt, the chosen hypothesis' summed log-probability. */
  logProbabilities: number[]
}

interface Hypothesis {
  tokens: number[]
  logProbability: number
  score: number
}

/** HF's BeamHypotheses.add: keep the K best-scoring hypotheses. */
function addHypothesis(hypotheses: Hypothesis[], hypothesis: Hypothesis, beams: number): void {
  if (hypotheses.length >= beams && hypothesis.score <= Math.min(...hypotheses.map((kept) => kept.score))) return
  hypotheses.push(hypothesis)
  if (hypotheses.length > beams) hypotheses.splice(hypotheses.indexOf(hypotheses.reduce((worst, kept) => (kept.score < worst.score ? kept : worst))), 1)
}

export function beamSearch(model: CausalLM, prompts: readonly (readonly number[])[], options: BeamSearchOptions): BeamSearchResult {
  const { numBeams: beams, maxNewTokens, eosTokenId, padTokenId, lengthPenalty = 1 } = options
  if (!Number.isInteger(beams) || beams < 1) throw new Error(`num_beams must be a whole number >= 1, got ${beams}`)
  const batch = prompts.length
  const width = Math.max(1, ...prompts.map((prompt) => prompt.length))
  const normalise = (logProbability: number, length: number) => (length === 0 ? logProbability : logProbability / length ** lengthPenalty)
  // One row per prompt until the prompt pass, then one per beam (prompt b's beams are rows b·K … b·K + K − 1).
  let sequences = prompts.map((prompt) => [...Array<number>(width - prompt.length).fill(padTokenId), ...prompt])
  let mask = prompts.map((prompt) => [...Array<number>(width - prompt.length).fill(0), ...Array<number>(prompt.length).fill(1)])
  let generated: number[][] = prompts.map(() => [])
  let sums: number[] = prompts.map(() => 0)
  const finished: Hypothesis[][] = prompts.map(() => [])
  const done = prompts.map(() => false)
  const stepMs: number[] = []
  let prefillMs = 0
  let cache: KeyValueCache | undefined
  const started = performance.now()
  try {
    for (let step = 0; step < maxNewTokens && done.some((finishedPrompt) => !finishedPrompt); step++) {
      const stepStarted = performance.now()
      const rowsPerPrompt = cache ? beams : 1
      const rows = batch * rowsPerPrompt
      const feed = cache ? sequences.map((row) => row.slice(-1)) : sequences
      const inputIds = tf.tensor2d(feed, [rows, feed[0]!.length], 'int32')
      const attentionMask = tf.tensor2d(mask, [rows, mask[0]!.length], 'int32')
      const output = causalForward(model, inputIds, attentionMask, { training: false, cache, useCache: true })
      tf.dispose([inputIds, attentionMask])
      disposeCache(cache)
      cache = output.cache
      const vocab = output.logits.shape[2]
      const candidates = Math.min(2 * beams, rowsPerPrompt * vocab)
      const { values, indices } = tf.tidy(() => {
        const seq = output.logits.shape[1]
        const logProbabilities = tf.logSoftmax(output.logits.slice([0, seq - 1, 0], [rows, 1, vocab]).reshape([rows, vocab]))
        const totals = logProbabilities.add(tf.tensor2d(sums, [rows, 1])).reshape([batch, rowsPerPrompt * vocab])
        return tf.topk(totals, candidates)
      })
      output.logits.dispose()
      const topTotals = values.arraySync() as number[][]
      const topIndices = indices.arraySync() as number[][]
      tf.dispose([values, indices])
      const length = step + 1
      // For every next row: the row it continues, the token it appends and its summed log-probability.
      const source: number[] = []
      const appended: number[] = []
      const nextSums: number[] = []
      for (let b = 0; b < batch; b++) {
        if (done[b]) {
          // A finished prompt's rows run on, padded, until every prompt is done.
          for (let k = 0; k < beams; k++) {
            source.push(b * rowsPerPrompt + k)
            appended.push(padTokenId)
            nextSums.push(0)
          }
          continue
        }
        let kept = 0
        for (let rank = 0; rank < candidates && kept < beams; rank++) {
          const row = b * rowsPerPrompt + Math.floor(topIndices[b]![rank]! / vocab)
          const token = topIndices[b]![rank]! % vocab
          const total = topTotals[b]![rank]!
          if (token === eosTokenId) {
            if (rank < beams) addHypothesis(finished[b]!, { tokens: [...generated[row]!, token], logProbability: total, score: normalise(total, length) }, beams)
            continue
          }
          source.push(row)
          appended.push(token)
          nextSums.push(total)
          kept++
        }
        // early_stopping false: no live beam can beat the worst kept hypothesis, judged on this step's best sum at this length.
        done[b] = finished[b]!.length >= beams && Math.min(...finished[b]!.map((hypothesis) => hypothesis.score)) >= normalise(topTotals[b]![0]!, length)
      }
      sequences = source.map((row, i) => [...sequences[row]!, appended[i]!])
      mask = source.map((row) => [...mask[row]!, 1])
      generated = source.map((row, i) => [...generated[row]!, appended[i]!])
      sums = nextSums
      const reorder = tf.tensor1d(source, 'int32')
      const reordered: KeyValueCache = { layers: cache!.layers.map((layer) => ({ key: tf.gather(layer.key, reorder) as tf.Tensor4D, value: tf.gather(layer.value, reorder) as tf.Tensor4D })), length: cache!.length }
      reorder.dispose()
      disposeCache(cache)
      cache = reordered
      const elapsed = performance.now() - stepStarted
      if (step === 0) prefillMs = elapsed
      else stepMs.push(elapsed)
    }
  } finally {
    disposeCache(cache)
  }
  // Before the first step one row per prompt, after it one per beam.
  const rowsPerPrompt = batch === 0 ? 0 : generated.length / batch
  const best = prompts.map((_, b) => {
    if (!done[b]) {
      for (let k = 0; k < rowsPerPrompt; k++) {
        const row = b * rowsPerPrompt + k
        addHypothesis(finished[b]!, { tokens: generated[row]!, logProbability: sums[row]!, score: normalise(sums[row]!, generated[row]!.length) }, beams)
      }
    }
    return finished[b]!.reduce((winner, hypothesis) => (hypothesis.score > winner.score ? hypothesis : winner))
  })
  return {
    tokens: best.map((hypothesis) => hypothesis.tokens),
    scores: best.map((hypothesis) => hypothesis.score),
    logProbabilities: best.map((hypothesis) => hypothesis.logProbability),
    prefillMs,
    stepMs,
    totalMs: performance.now() - started,
  }
}
