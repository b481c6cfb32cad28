import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  applyPeft, createSequenceClassifier, initBackend, IntentClassifier, mergeLora, parseEncoderConfig, Tokenizer, trainWordPiece,
} from '@bankbench/engine'
import { choosePredictor, enginePredictor, SERVING_RUNTIME_ENV_VARIABLE, type IntentPredictor } from './predictor'

const TEXTS = ['i lost my card', 'how do i top up my account', 'my card payment was declined twice today', 'exchange rate', 'card']
const tokenizer = Tokenizer.fromJSON(trainWordPiece([...TEXTS, 'where is my card', 'top up by bank transfer'], { vocabSize: 60 }))

/** A tiny BERT classifier with a PEFT method applied (random, non-zero adapter weights). */
function tinyClassifier(method: 'lora' | 'prefix-tuning', seed = 1): IntentClassifier {
  const config = parseEncoderConfig({
    model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32,
    max_position_embeddings: 20, classifier_pooling: 'mean', id2label: { 0: 'lost_card', 1: 'top_up', 2: 'declined', 3: 'exchange_rate' },
  })
  const model = createSequenceClassifier(config, undefined, { seed })
  applyPeft(model, method, method === 'lora' ? { r: 4, init_lora_weights: false } : { num_virtual_tokens: 2 }, { seed: seed + 1 })
  if (method === 'lora') mergeLora(model)
  return new IntentClassifier(model, tokenizer, 12)
}

const opened: IntentPredictor[] = []
beforeAll(async () => {
  await initBackend()
})
afterEach(async () => {
  vi.unstubAllEnvs()
  await Promise.all(opened.splice(0).map((predictor) => predictor.dispose()))
})

describe('choosePredictor', () => {
  it('serves an exportable model with ONNX Runtime, predicting what the engine predicts', async () => {
    const expected = tinyClassifier('lora').predict(TEXTS, { scores: true })
    const { predictor, engineReason } = await choosePredictor(tinyClassifier('lora'))
    opened.push(predictor)
    expect([predictor.runtime, engineReason]).toEqual(['onnxruntime', undefined])
    const actual = await predictor.predict(TEXTS, { scores: true })
    expect(actual.map((prediction) => prediction.label)).toEqual(expected.map((prediction) => prediction.label))
    actual.forEach((prediction, index) => expect(prediction.confidence).toBeCloseTo(expected[index]!.confidence, 5))
  })

  it('falls back to the engine, saying why, for a method that does not export', async () => {
    const classifier = tinyClassifier('prefix-tuning')
    const expected = classifier.predict(TEXTS)
    const { predictor, engineReason } = await choosePredictor(classifier)
    opened.push(predictor)
    expect(predictor.runtime).toBe('engine')
    expect(engineReason).toMatch(/^ONNX Runtime not used: .*prefix/i)
    expect((await predictor.predict(TEXTS)).map((prediction) => prediction.label)).toEqual(expected.map((prediction) => prediction.label))
  })

  it('obeys BANKBENCH_SERVING_RUNTIME: engine always, onnxruntime or an error, nothing else', async () => {
    vi.stubEnv(SERVING_RUNTIME_ENV_VARIABLE, 'engine')
    const forced = await choosePredictor(tinyClassifier('lora'))
    opened.push(forced.predictor)
    expect(forced.predictor.runtime).toBe('engine')

    vi.stubEnv(SERVING_RUNTIME_ENV_VARIABLE, 'onnxruntime')
    const prefix = tinyClassifier('prefix-tuning')
    await expect(choosePredictor(prefix)).rejects.toThrow(/BANKBENCH_SERVING_RUNTIME=onnxruntime, but ONNX Runtime not used/)
    opened.push(enginePredictor(prefix))

    vi.stubEnv(SERVING_RUNTIME_ENV_VARIABLE, 'gpu')
    const lora = tinyClassifier('lora')
    await expect(choosePredictor(lora)).rejects.toThrow(/use auto, onnxruntime or engine/)
    opened.push(enginePredictor(lora))
  })
})
