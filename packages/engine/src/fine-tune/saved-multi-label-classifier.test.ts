/**
 * A multi-label classifier (NLU++'s intents) saved like a single-label one, the adapter or the whole
 * checkpoint, and reloaded with its labels and threshold: the reloaded model answers what the trained one did.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint'
import type { Checkpoint } from '../io/checkpoint'
import { parseEncoderConfig } from '../models'
import { pretrain } from '../pretrain'
import { Tokenizer, trainWordPiece } from '../tokenizer'
import { fineTuneMultiLabelClassifier } from './fine-tune-classifier'
import { loadIntentClassifier, saveFineTuned } from './saved-classifier'

// Each text has its intent, and 'money' when it names money; 'greeting' is in no text.
const EXAMPLES = [
  { text: 'I lost my card', labels: ['lost_card'] },
  { text: 'my card was stolen yesterday', labels: ['lost_card'] },
  { text: 'what is my balance', labels: ['balance'] },
  { text: 'how much money do I have', labels: ['balance', 'money'] },
  { text: 'send money to my friend', labels: ['transfer', 'money'] },
  { text: 'transfer fifty pounds', labels: ['transfer', 'money'] },
  { text: 'make a transfer to savings', labels: ['transfer'] },
  { text: 'what is the exchange rate', labels: ['exchange_rate'] },
]
const LABELS = ['lost_card', 'balance', 'transfer', 'exchange_rate', 'money', 'greeting']
const TEXTS = EXAMPLES.map((example) => example.text)

let base: Checkpoint
let directory: string
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'bankbench-multi-label-'))
  await initBackend()
  const tokenizer = Tokenizer.fromJSON(trainWordPiece(TEXTS, { vocabSize: 100, minFrequency: 1 }))
  const modelConfig = parseEncoderConfig({
    model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2,
    intermediate_size: 64, max_position_embeddings: 32, initializer_range: 0.2,
  })
  base = (await pretrain(TEXTS, { tokenizer, modelConfig, epochs: 0, batchSize: 8, learningRate: 1e-3, seed: 3, maxLength: 16 })).checkpoint
})
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const fineTune = (method: 'lora' | 'full') => fineTuneMultiLabelClassifier({
  base, labels: LABELS, train: EXAMPLES, validation: EXAMPLES, method, peftConfig: method === 'full' ? {} : { r: 4, lora_alpha: 8 },
  epochs: 4, batchSize: 4, learningRate: method === 'full' ? 5e-3 : 1e-2, seed: 7, maxLength: 16,
})

describe('a saved multi-label classifier', () => {
  it.each(['lora', 'full'] as const)('%s: reloaded with its labels and threshold, it predicts exactly what the trained one did', async (method) => {
    const fineTuned = await fineTune(method)
    const saved = saveFineTuned(fineTuned)
    const { multiLabel } = fineTuned.classifier
    let reloaded
    if (saved.kind === 'adapter') {
      reloaded = loadIntentClassifier(base, saved.adapter, { labels: LABELS, maxLength: 16, multiLabel })
    } else {
      await saveCheckpoint(join(directory, method), saved.checkpoint)
      reloaded = loadIntentClassifier(await loadCheckpoint(join(directory, method)), null, { maxLength: 16, multiLabel })
    }
    try {
      expect(saved.kind).toBe(method === 'full' ? 'checkpoint' : 'adapter')
      // The threshold kept is the one validation tuned for the kept (best) epoch.
      const { best, history } = fineTuned.result
      expect(multiLabel).toEqual({ threshold: history[best!.epoch]!.validation!.threshold })
      expect(reloaded.multiLabel).toEqual(multiLabel)
      expect(reloaded.labels).toEqual(LABELS)
      const trained = fineTuned.classifier.predict(TEXTS, { scores: true })
      expect(reloaded.predict(TEXTS, { scores: true })).toEqual(trained)
      // predict answers every label above the threshold: the label sets predictLabelSets gives at it.
      expect(trained.map((prediction) => prediction.labels)).toEqual(fineTuned.classifier.predictLabelSets(TEXTS, { threshold: multiLabel!.threshold }))
    } finally {
      fineTuned.classifier.dispose()
      reloaded.dispose()
    }
  })

  it('without its decision it reloads as a softmax classifier: one label, no label sets', async () => {
    const fineTuned = await fineTune('lora')
    const saved = saveFineTuned(fineTuned)
    if (saved.kind !== 'adapter') throw new Error('LoRA should save an adapter')
    const reloaded = loadIntentClassifier(base, saved.adapter, { labels: LABELS, maxLength: 16 })
    try {
      expect(reloaded.multiLabel).toBeNull()
      expect(reloaded.predict(TEXTS).every((prediction) => prediction.labels === undefined)).toBe(true)
    } finally {
      fineTuned.classifier.dispose()
      reloaded.dispose()
    }
  })
})
