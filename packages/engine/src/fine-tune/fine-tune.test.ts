import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint'
import type { Checkpoint } from '../io/checkpoint'
import { parseEncoderConfig } from '../models'
import { pretrain } from '../pretrain'
import { Tokenizer, trainWordPiece } from '../tokenizer'
import type { TrainerState } from '../train/checkpoint'
import { decodeTrainerState, encodeTrainerState } from '../train/checkpoint'
import { fineTuneClassifier, fineTuneMultiLabelClassifier, multiLabelMicroF1, tuneMultiLabelThreshold } from './fine-tune-classifier'
import type { FineTuneOptions } from './fine-tune-classifier'
import { loadIntentClassifier, saveFineTuned } from './saved-classifier'

const INTENTS: Record<string, string[]> = {
  lost_card: ['I lost my card', 'my card was stolen yesterday', 'where did my card go', 'someone took my card'],
  balance: ['what is my balance', 'how much money do I have', 'show my account balance', 'check the balance please'],
  transfer: ['send money to my friend', 'make a transfer to savings', 'transfer fifty pounds', 'how do I send a payment'],
  exchange_rate: ['what is the exchange rate', 'euro to dollar rate today', 'how much is one pound in euros', 'currency rates please'],
}
const LABELS = Object.keys(INTENTS)
const EXAMPLES = Object.entries(INTENTS).flatMap(([label, texts]) => texts.map((text) => ({ text, label })))
const TEXTS = EXAMPLES.map((example) => example.text)

/**
 * A tiny random BERT in the layout a pretrain job writes (BertForMaskedLM, no pooler).
 * initializer_range 0.2 instead of BERT's 0.02: with 0.02 an untrained encoder gives
 * every input nearly the same [CLS] vector, and a few dozen steps cannot tell them apart.
 */
async function tinyBase(): Promise<Checkpoint> {
  const tokenizer = Tokenizer.fromJSON(trainWordPiece(TEXTS, { vocabSize: 120, minFrequency: 1 }))
  const modelConfig = parseEncoderConfig({
    model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2,
    intermediate_size: 64, max_position_embeddings: 32, initializer_range: 0.2,
  })
  return (await pretrain(TEXTS, { tokenizer, modelConfig, epochs: 0, batchSize: 8, learningRate: 1e-3, seed: 3, maxLength: 16 })).checkpoint
}

let base: Checkpoint
let directory: string
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'bankbench-fine-tune-'))
  await initBackend()
  base = await tinyBase()
})
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const options = (overrides: Partial<FineTuneOptions> = {}): FineTuneOptions => ({
  base, labels: LABELS, train: EXAMPLES, validation: EXAMPLES, method: 'lora',
  peftConfig: overrides.method === 'full' ? {} : { r: 4, lora_alpha: 8 },
  epochs: 12, batchSize: 4, learningRate: 1e-2, seed: 7, maxLength: 16, restoreBest: false, ...overrides,
})

const accuracyOn = (predictions: { label: string }[]) =>
  predictions.filter((prediction, index) => prediction.label === EXAMPLES[index]!.label).length / EXAMPLES.length

describe('fineTuneClassifier', () => {
  it.each(['lora', 'full'] as const)('%s overfits a tiny dataset and reports what it trained', async (method) => {
    const losses: number[] = []
    const fineTuned = await fineTuneClassifier(options({
      method, epochs: 30, learningRate: method === 'full' ? 5e-3 : 1e-2, scheduler: 'constant',
      peftConfig: method === 'full' ? {} : { r: 8, lora_alpha: 16 },
      onEpoch: (record) => { losses.push(record.validation!.loss) },
    }))
    try {
      expect(fineTuned.result).toMatchObject({ status: 'completed', epochsCompleted: 30, steps: 30 * 4 })
      expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4)
      expect(accuracyOn(fineTuned.classifier.predict(TEXTS))).toBe(1)
      const { trainable, total, ratio } = fineTuned.parameterCounts
      expect(ratio).toBeCloseTo(trainable / total)
      if (method === 'full') expect(trainable).toBe(total)
      else expect(ratio).toBeLessThan(0.5)
    } finally {
      fineTuned.classifier.dispose()
    }
  })

  it('a saved LoRA adapter, pooler and head included, reloads onto the base with identical predictions', async () => {
    const fineTuned = await fineTuneClassifier(options({ epochs: 3 }))
    const saved = saveFineTuned(fineTuned)
    expect(saved.kind).toBe('adapter')
    if (saved.kind !== 'adapter') return
    // The MLM base has no pooler: it trains and travels with the adapter, like the head.
    expect(saved.adapter['adapter_config.json'].modules_to_save).toEqual(['bert.pooler.dense', 'classifier'])
    const reloaded = loadIntentClassifier(base, saved.adapter, { labels: LABELS, maxLength: 16 })
    try {
      expect(reloaded.predict(TEXTS, { scores: true })).toEqual(fineTuned.classifier.predict(TEXTS, { scores: true }))
    } finally {
      fineTuned.classifier.dispose()
      reloaded.dispose()
    }
  })

  it('a base that records mean pooling gets no pooler: the adapter saves the head alone and reloads identically', async () => {
    const meanPooled: Checkpoint = { ...base, config: { ...base.config, classifier_pooling: 'mean' } }
    const fineTuned = await fineTuneClassifier(options({ base: meanPooled, epochs: 2 }))
    const saved = saveFineTuned(fineTuned)
    if (saved.kind !== 'adapter') throw new Error('LoRA should save an adapter')
    expect(saved.adapter['adapter_config.json'].modules_to_save).toEqual(['classifier'])
    expect(fineTuned.classifier.model.parameters.has('bert.pooler.dense.weight')).toBe(false)
    const reloaded = loadIntentClassifier(meanPooled, saved.adapter, { labels: LABELS, maxLength: 16 })
    try {
      expect(reloaded.predict(TEXTS, { scores: true })).toEqual(fineTuned.classifier.predict(TEXTS, { scores: true }))
    } finally {
      fineTuned.classifier.dispose()
      reloaded.dispose()
    }
  })

  it('a fully fine-tuned model saved as a checkpoint folder reloads with identical predictions', async () => {
    const fineTuned = await fineTuneClassifier(options({ method: 'full', epochs: 2, learningRate: 1e-3 }))
    const saved = saveFineTuned(fineTuned)
    if (saved.kind !== 'checkpoint') throw new Error('full fine-tuning should save a checkpoint')
    await saveCheckpoint(join(directory, 'full'), saved.checkpoint)
    const reloaded = loadIntentClassifier(await loadCheckpoint(join(directory, 'full')), null, { maxLength: 16 })
    try {
      expect(reloaded.labels).toEqual(LABELS)
      expect(reloaded.predict(TEXTS, { scores: true })).toEqual(fineTuned.classifier.predict(TEXTS, { scores: true }))
    } finally {
      fineTuned.classifier.dispose()
      reloaded.dispose()
    }
  })

  it('resumes an interrupted run from its checkpoint to the same model, dropout included', async () => {
    const settings = { epochs: 2, peftConfig: { r: 4, lora_dropout: 0.2 } }
    const uninterrupted = await fineTuneClassifier(options(settings))
    const expected = uninterrupted.classifier.predict(TEXTS, { scores: true })
    uninterrupted.classifier.dispose()

    let saved: Uint8Array | null = null
    const stop = new AbortController()
    const interrupted = await fineTuneClassifier(options({
      ...settings, signal: stop.signal,
      saveCheckpoint: (state: TrainerState) => { saved = encodeTrainerState(state) },
      onStep: ({ step }) => { if (step === 5) stop.abort() },
    }))
    interrupted.classifier.dispose()
    expect(interrupted.result).toMatchObject({ status: 'cancelled', steps: 5 })

    const resumed = await fineTuneClassifier(options({ ...settings, loadCheckpoint: () => decodeTrainerState(saved!) }))
    try {
      expect(resumed.result).toMatchObject({ status: 'completed', steps: 8 })
      expect(resumed.classifier.predict(TEXTS, { scores: true })).toEqual(expected)
    } finally {
      resumed.classifier.dispose()
    }
  })

  it('frees every tensor it made once the classifier is disposed', async () => {
    const before = tf.memory().numTensors
    const fineTuned = await fineTuneClassifier(options({ epochs: 1 }))
    fineTuned.classifier.predict(TEXTS)
    fineTuned.classifier.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('prefix tuning keeps inputs within the positions its virtual tokens leave free, and reloads identically', async () => {
    // max_position_embeddings is 32: with 24 virtual tokens only 8 positions remain for the text.
    const fineTuned = await fineTuneClassifier(options({ method: 'prefix-tuning', peftConfig: { num_virtual_tokens: 24 }, maxLength: 32, epochs: 1 }))
    expect(fineTuned.classifier.maxLength).toBe(8)
    const longText = 'please tell me the exchange rate from euros to pounds and dollars for my transfer today'
    const predictions = fineTuned.classifier.predict([longText, ...TEXTS], { scores: true })
    const saved = saveFineTuned(fineTuned, { baseModelNameOrPath: 'tiny' })
    if (saved.kind !== 'adapter') throw new Error('prefix tuning saves an adapter')
    const reloaded = loadIntentClassifier(base, saved.adapter, { labels: LABELS })
    expect(reloaded.predict([longText, ...TEXTS], { scores: true })).toEqual(predictions)
    fineTuned.classifier.dispose()
    reloaded.dispose()
  })

  it('names an unknown label', async () => {
    await expect(fineTuneClassifier(options({ train: [{ text: 'hello', label: 'greeting' }] }))).rejects.toThrow(/"greeting" is not one of the 4/)
  })
})

describe('fineTuneMultiLabelClassifier', () => {
  // Each text carries its intent and, when it names money, 'money' too; 'greeting' is in no text (a label the data never uses).
  const MONEY = new Set(['how much money do I have', 'send money to my friend', 'transfer fifty pounds', 'how much is one pound in euros'])
  const MULTI = EXAMPLES.map(({ text, label }) => ({ text, labels: MONEY.has(text) ? [label, 'money'] : [label] }))
  const MULTI_LABELS = [...LABELS, 'money', 'greeting']

  it('learns every label set with a sigmoid per label, keeps the epoch by validation micro-F1 at the tuned threshold, and predicts sets', async () => {
    const records: { loss: number; microF1: number; tunedMicroF1: number; threshold: number; accuracy: number }[] = []
    const fineTuned = await fineTuneMultiLabelClassifier({
      ...options({ method: 'full', learningRate: 5e-3, epochs: 60, scheduler: 'constant', peftConfig: {} }),
      labels: MULTI_LABELS, train: MULTI, validation: MULTI,
      onEpoch: (record) => { records.push(record.validation as (typeof records)[number]) },
    })
    try {
      expect(fineTuned.result.status).toBe('completed')
      // accuracy is the micro-F1 at the threshold tuned on validation, so the trainer keeps the best epoch by it; never below 0.5's.
      for (const record of records) {
        expect(record.accuracy).toBe(record.tunedMicroF1)
        expect(record.tunedMicroF1).toBeGreaterThanOrEqual(record.microF1)
      }
      expect(records.at(-1)!.loss).toBeLessThan(records[0]!.loss / 4)
      expect(records.at(-1)!.microF1).toBe(1)
      const sets = fineTuned.classifier.predictLabelSets(TEXTS)
      expect(sets).toEqual(MULTI.map((example) => MULTI_LABELS.filter((label) => example.labels.includes(label))))
      // No threshold reachable: nothing predicted.
      expect(fineTuned.classifier.predictLabelSets(TEXTS.slice(0, 2), { threshold: 1 })).toEqual([[], []])
    } finally {
      fineTuned.classifier.dispose()
    }
  })

  it('its validation micro-F1 is the one computed by hand from the label sets it predicts at 0.5', async () => {
    const fineTuned = await fineTuneMultiLabelClassifier({
      ...options({ method: 'lora', epochs: 1, learningRate: 0 }), labels: MULTI_LABELS, train: MULTI, validation: MULTI,
    })
    try {
      const validation = fineTuned.result.history[0]!.validation!
      const sets = fineTuned.classifier.predictLabelSets(TEXTS)
      const predicted = sets.reduce((sum, set) => sum + set.length, 0)
      const hits = sets.reduce((sum, set, index) => sum + set.filter((label) => MULTI[index]!.labels.includes(label)).length, 0)
      const gold = MULTI.reduce((sum, example) => sum + example.labels.length, 0)
      expect(validation.microF1).toBeCloseTo((2 * hits) / (predicted + gold), 6)
    } finally {
      fineTuned.classifier.dispose()
    }
  })

  it('tunes one threshold for every label: the best micro-F1 of 0.05-0.95, ties to the one nearest 0.5', () => {
    // Two texts, three labels; the gold labels score 0.28 and 0.33, a wrong one 0.22: only 0.25 keeps both golds and drops the wrong one.
    const gold = [[0], [1]]
    const probabilities = [Float32Array.of(0.28, 0.22, 0.1), Float32Array.of(0.1, 0.33, 0.05)]
    expect(multiLabelMicroF1(gold, probabilities, 0.5)).toBe(0)
    expect(multiLabelMicroF1(gold, probabilities, 0.2)).toBeCloseTo((2 * 2) / (3 + 2))
    expect(tuneMultiLabelThreshold(gold, probabilities)).toEqual({ threshold: 0.25, microF1: 1 })
    // Every threshold from 0.1 to 0.85 scores 1 here: the one nearest 0.5 wins.
    expect(tuneMultiLabelThreshold([[0]], [Float32Array.of(0.9, 0.1)])).toEqual({ threshold: 0.5, microF1: 1 })
  })
})
