import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { spanF1 } from '@bankbench/metrics'
import { initBackend } from '../backend'
import type { Checkpoint } from '../io/checkpoint'
import { parseEncoderConfig } from '../models'
import { pretrain } from '../pretrain'
import { Tokenizer, trainWordPiece } from '../tokenizer'
import { bioTagSet, piecesToTagIds, tagIdsToSpans } from './bio-tags'
import { fineTuneTokenClassifier } from './fine-tune-token-classifier'
import type { SpannedText } from './fine-tune-token-classifier'
import { pieceOffsets } from './piece-offsets'
import { loadTokenClassifier, saveTokenClassifier } from './saved-token-classifier'

/** Amounts and names in fixed places: learnable in a few epochs by a one-layer model. */
function example(text: string, ...slots: [string, string][]): SpannedText {
  return { text, spans: slots.map(([type, value]) => ({ type, start: text.indexOf(value), end: text.indexOf(value) + value.length })) }
}
const AMOUNTS = ['50', '120', '7', '300', '15']
const NAMES = ['anna', 'tom', 'maria', 'li', 'omar']
const DATA: SpannedText[] = AMOUNTS.flatMap((amount, i) => [
  example(`send ${amount} pounds to ${NAMES[i]}`, ['amount', `${amount} pounds`], ['person', NAMES[i]!]),
  example(`i paid ${NAMES[(i + 1) % 5]} ${amount} pounds`, ['person', NAMES[(i + 1) % 5]!], ['amount', `${amount} pounds`]),
  example('what is my balance'),
])
const TEXTS = DATA.map((entry) => entry.text)

let base: Checkpoint
beforeAll(async () => {
  await initBackend()
  const tokenizer = Tokenizer.fromJSON(trainWordPiece(TEXTS, { vocabSize: 90, minFrequency: 1 }))
  const modelConfig = parseEncoderConfig({
    model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2,
    intermediate_size: 64, max_position_embeddings: 32, initializer_range: 0.2, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0,
  })
  base = (await pretrain(TEXTS, { tokenizer, modelConfig, epochs: 0, batchSize: 8, learningRate: 1e-3, seed: 3, maxLength: 24 })).checkpoint
})

describe('pieceOffsets', () => {
  it('places every piece on its characters, through case, accents, punctuation and unknown words', () => {
    const tokenizer = Tokenizer.fromJSON(trainWordPiece(['send money to jose now', 'send it'], { vocabSize: 60, minFrequency: 1 }))
    const text = 'Send  MONEY to José, ∑ now'
    const { ids, offsets } = pieceOffsets(tokenizer, text)
    expect(offsets.every((offset) => offset !== null)).toBe(true)
    const covered = offsets.map((offset) => text.slice(offset!.start, offset!.end))
    // Pieces rebuild the words (WordPiece may split them); ∑ is unknown and stands alone.
    expect(covered.join('|').replaceAll('|', '')).toBe('SendMONEYtoJosé,∑now')
    expect(ids.length).toBe(offsets.length)
  })

  it('turns slot spans into BIO piece tags and back into the same spans', () => {
    const tokenizer = Tokenizer.fromJSON(base.tokenizer!)
    const tags = bioTagSet(['amount', 'person'])
    for (const entry of DATA) {
      const { offsets } = pieceOffsets(tokenizer, entry.text)
      expect(tagIdsToSpans(piecesToTagIds(offsets, entry.spans, tags), offsets, tags)).toEqual([...entry.spans].sort((a, b) => a.start - b.start))
    }
  })
})

describe('fineTuneTokenClassifier', () => {
  for (const method of ['full', 'lora'] as const) {
    it(`learns slot spans with ${method} and reloads to identical predictions`, async () => {
      const tensorsBefore = tf.memory().numTensors
      const tuned = await fineTuneTokenClassifier({
        base, method, slotTypes: ['amount', 'person'], train: DATA, validation: DATA,
        epochs: 25, batchSize: 8, learningRate: method === 'full' ? 1e-2 : 2e-2, seed: 5, maxLength: 24, warmupRatio: 0,
        peftConfig: method === 'lora' ? { r: 8, lora_alpha: 16, target_modules: 'all-linear' } : {},
      })
      const predicted = tuned.tagger.predict(TEXTS)
      const report = spanF1(DATA.map((entry) => entry.spans), predicted.map((prediction) => prediction.entities))
      expect(report.microF1).toBeGreaterThan(0.9)
      expect(tuned.result.best?.metric).toBe('spanMicroF1')
      // Predicted spans carry the text they cover.
      const first = predicted[0]!.entities.find((entity) => entity.type === 'amount')
      expect(first?.text).toBe('50 pounds')

      const saved = saveTokenClassifier(tuned)
      expect(saved.kind).toBe(method === 'full' ? 'checkpoint' : 'adapter')
      const reloaded = saved.kind === 'adapter'
        ? loadTokenClassifier(base, saved.adapter, { tags: tuned.tagger.tags, maxLength: 24 })
        : loadTokenClassifier(saved.checkpoint, null, { maxLength: 24 })
      if (saved.kind === 'adapter') expect(saved.adapter['adapter_config.json'].task_type).toBe('TOKEN_CLS')
      expect(reloaded.predict(TEXTS)).toEqual(predicted)
      reloaded.dispose()
      tuned.tagger.dispose()
      expect(tf.memory().numTensors).toBe(tensorsBefore)
    }, 120_000)
  }

  for (const method of ['qlora', 'ia3', 'prefix-tuning', 'adapter'] as const) {
    it(`trains with ${method} and reloads to identical predictions`, async () => {
      const tuned = await fineTuneTokenClassifier({ base, method, slotTypes: ['amount', 'person'], train: DATA, epochs: 2, batchSize: 8, learningRate: 1e-2, seed: 2, maxLength: 24 })
      expect(tuned.parameterCounts.trainable).toBeLessThan(tuned.parameterCounts.total)
      const saved = saveTokenClassifier(tuned)
      if (saved.kind !== 'adapter') throw new Error(`${method} saves an adapter`)
      const reloaded = loadTokenClassifier(base, saved.adapter, { tags: tuned.tagger.tags, maxLength: 24, quantizationConfig: saved.quantizationConfig })
      expect(reloaded.predict(TEXTS)).toEqual(tuned.tagger.predict(TEXTS))
      reloaded.dispose()
      tuned.tagger.dispose()
    }, 60_000)
  }

  it('refuses a sequence-classification adapter for a token classifier', async () => {
    const tuned = await fineTuneTokenClassifier({ base, method: 'lora', slotTypes: ['amount', 'person'], train: DATA.slice(0, 2), epochs: 1, batchSize: 2, learningRate: 1e-3 })
    const saved = saveTokenClassifier(tuned)
    tuned.tagger.dispose()
    if (saved.kind !== 'adapter') throw new Error('lora saves an adapter')
    const relabelled = { ...saved.adapter, 'adapter_config.json': { ...saved.adapter['adapter_config.json'], task_type: 'SEQ_CLS' } }
    expect(() => loadTokenClassifier(base, relabelled, { tags: bioTagSet(['amount', 'person']) })).toThrow(/TOKEN_CLS/)
  })
})
