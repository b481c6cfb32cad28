/**
 * A multi-label classifier (a slots run's NLU++ intents) as serving answers it: on the engine (the ONNX predictor
 * reads a softmax), every intent above the model's threshold per message, and out of scope when there is none.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createSequenceClassifier, initBackend, IntentClassifier, parseEncoderConfig, Tokenizer, trainWordPiece } from '@bankbench/engine'
import { classifyTexts } from './classification'
import { choosePredictor, enginePredictor, SERVING_RUNTIME_ENV_VARIABLE, type IntentPredictor } from './predictor'

const TEXTS = ['i lost my card and need money', 'how do i top up my account', 'my card payment was declined twice today', 'exchange rate', 'card', 'hello']
const tokenizer = Tokenizer.fromJSON(trainWordPiece([...TEXTS, 'where is my card', 'top up by bank transfer'], { vocabSize: 60 }))
const LABELS = ['lost_card', 'top_up', 'declined', 'exchange_rate', 'money', 'greeting']

/** A tiny random BERT read with sigmoids at `threshold`. */
function multiLabelClassifier(threshold: number | null): IntentClassifier {
  const config = parseEncoderConfig({
    model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32,
    max_position_embeddings: 20, initializer_range: 0.5, id2label: Object.fromEntries(LABELS.map((label, index) => [index, label])),
  })
  return new IntentClassifier(createSequenceClassifier(config, undefined, { seed: 3 }), tokenizer, 12, threshold === null ? null : { threshold })
}

/** A threshold between the sigmoids, so that some messages get several intents and some none. */
function medianProbability(): number {
  const probe = multiLabelClassifier(null)
  const all = probe.labelProbabilities(TEXTS).flatMap((row) => [...row]).sort((a, b) => a - b)
  probe.dispose()
  return all[Math.floor(all.length / 2)]!
}

const opened: IntentPredictor[] = []
beforeAll(async () => {
  await initBackend()
})
afterEach(async () => {
  vi.unstubAllEnvs()
  await Promise.all(opened.splice(0).map((predictor) => predictor.dispose()))
})

describe('serving a multi-label classifier', () => {
  it('serves on the engine, saying why, and answers every intent above its threshold (a list), out of scope when none', async () => {
    const threshold = medianProbability()
    const reference = multiLabelClassifier(threshold)
    const expected = reference.predictLabelSets(TEXTS, { threshold })
    const probabilities = reference.labelProbabilities(TEXTS)
    reference.dispose()
    const { predictor, engineReason } = await choosePredictor(multiLabelClassifier(threshold))
    opened.push(predictor)
    expect(predictor.runtime).toBe('engine')
    expect(predictor.multiLabel).toEqual({ threshold })
    expect(engineReason).toMatch(/multi-label/)

    const results = await classifyTexts(predictor, TEXTS, { topK: 2, outOfScopeThreshold: 0.99 })
    expect(results.map((result) => result.intents)).toEqual(expected)
    // The median leaves some messages with several intents and possibly some with none: both cases are exercised.
    expect(expected.some((set) => set.length > 1)).toBe(true)
    results.forEach((result, index) => {
      // Out of scope by the model's own threshold, not the deployment's softmax one (0.99 here would reject every message).
      expect(result.outOfScope).toBe(expected[index]!.length === 0)
      const best = Math.max(...probabilities[index]!)
      expect(result.confidence).toBeCloseTo(best, 6)
      expect(result.intent).toBe(LABELS[[...probabilities[index]!].indexOf(best)])
      expect(result.topIntents[0]!.score).toBeCloseTo(best, 6)
    })
  })

  it('a single-label classifier still answers one intent, with no list', async () => {
    const predictor = enginePredictor(multiLabelClassifier(null))
    opened.push(predictor)
    expect(predictor.multiLabel).toBeNull()
    const [result] = await classifyTexts(predictor, TEXTS.slice(0, 1), { topK: 2, outOfScopeThreshold: 0 })
    expect(result!.intents).toBeUndefined()
    expect(result!.outOfScope).toBe(false)
  })

  it('BANKBENCH_SERVING_RUNTIME=onnxruntime refuses it, naming why', async () => {
    vi.stubEnv(SERVING_RUNTIME_ENV_VARIABLE, 'onnxruntime')
    const classifier = multiLabelClassifier(0.5)
    await expect(choosePredictor(classifier)).rejects.toThrow(/onnxruntime, but .*multi-label/)
    opened.push(enginePredictor(classifier))
  })
})
