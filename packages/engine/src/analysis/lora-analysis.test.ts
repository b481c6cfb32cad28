import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import type { Checkpoint } from '../io/checkpoint'
import { fineTuneClassifier, loadIntentClassifier, saveFineTuned, type FineTuned } from '../fine-tune'
import { parseEncoderConfig } from '../models'
import type { AdapterFiles } from '../peft'
import { pretrain } from '../pretrain'
import { Tokenizer, trainWordPiece } from '../tokenizer'
import { ablateLoraBlocks, accuracyOn, loraLayersOf } from './layer-ablation'
import { loraLayerSpectra } from './lora-spectra'
import { matrix, singularValues } from './singular-values'

const INTENTS: Record<string, string[]> = {
  lost_card: ['I lost my card', 'my card was stolen yesterday', 'where did my card go', 'someone took my card'],
  balance: ['what is my balance', 'how much money do I have', 'show my account balance', 'check the balance please'],
  transfer: ['send money to my friend', 'make a transfer to savings', 'transfer fifty pounds', 'how do I send a payment'],
}
const EXAMPLES = Object.entries(INTENTS).flatMap(([label, texts]) => texts.map((text) => ({ text, label })))

let fineTuned: FineTuned
let adapter: AdapterFiles
let base: Checkpoint
beforeAll(async () => {
  await initBackend()
  const texts = EXAMPLES.map((example) => example.text)
  const tokenizer = Tokenizer.fromJSON(trainWordPiece(texts, { vocabSize: 100, minFrequency: 1 }))
  const modelConfig = parseEncoderConfig({
    model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2,
    intermediate_size: 64, max_position_embeddings: 32, initializer_range: 0.2,
  })
  base = (await pretrain(texts, { tokenizer, modelConfig, epochs: 0, batchSize: 8, learningRate: 1e-3, seed: 3, maxLength: 16 })).checkpoint
  fineTuned = await fineTuneClassifier({
    base, labels: Object.keys(INTENTS), train: EXAMPLES, validation: EXAMPLES, method: 'lora', peftConfig: { r: 4, lora_alpha: 8 },
    epochs: 10, batchSize: 4, learningRate: 1e-2, seed: 7, maxLength: 16, restoreBest: false,
  })
  const saved = saveFineTuned(fineTuned)
  if (saved.kind !== 'adapter') throw new Error('LoRA saves an adapter')
  adapter = saved.adapter
  return () => fineTuned.classifier.dispose()
})

describe('loraLayerSpectra', () => {
  it('gives, for each adapted layer, the singular values of scaling·B·A formed from the trained weights', () => {
    const spectra = loraLayerSpectra(adapter)
    const layers = loraLayersOf(fineTuned.classifier)
    expect(spectra.map((spectrum) => spectrum.layer)).toEqual([...layers.keys()])
    expect(spectra.map((spectrum) => spectrum.blockIndex)).toEqual([0, 0, 1, 1])
    for (const spectrum of spectra) {
      const layer = layers.get(spectrum.layer)!
      const [out, inFeatures] = spectrum.shape
      const update = (layer.loraB.arraySync() as number[][]).map((row) =>
        Array.from({ length: inFeatures }, (_, j) => row.reduce((sum, b, k) => sum + b * (layer.loraA.arraySync() as number[][])[k]![j]!, 0) * layer.scaling))
      const direct = singularValues(matrix(out, inFeatures, update.flat()))
      expect(spectrum.rank).toBe(4)
      spectrum.singularValues.forEach((value, index) => expect(Math.abs(value - direct[index]!)).toBeLessThan(1e-5 * Math.max(1, direct[0]!)))
      expect(spectrum.singularValues[0]).toBeGreaterThan(0)
      expect(spectrum.effectiveRank).toBeGreaterThanOrEqual(1)
      expect(spectrum.effectiveRank).toBeLessThanOrEqual(4)
      expect(spectrum.cumulativeEnergy.at(-1)).toBeCloseTo(1, 10)
    }
  })

  it('refuses an adapter that is not LoRA', () => {
    expect(() => loraLayerSpectra({ ...adapter, 'adapter_config.json': { ...adapter['adapter_config.json'], peft_type: 'IA3' } })).toThrow(/not LORA/)
  })
})

describe('ablateLoraBlocks', () => {
  it('measures each block without its update, against the accuracy with all of them, and restores the weights', () => {
    const classifier = loadIntentClassifier(base, adapter, { labels: Object.keys(INTENTS), maxLength: 16 })
    try {
      const before = classifier.predict(EXAMPLES.map((example) => example.text))
      const ablation = ablateLoraBlocks(classifier, EXAMPLES)
      expect(ablation.accuracy).toBe(accuracyOn(classifier, EXAMPLES))
      expect(ablation.blocks.map((block) => [block.blockIndex, block.layers.length])).toEqual([[0, 2], [1, 2]])
      for (const block of ablation.blocks) {
        expect(block.accuracy).toBeGreaterThanOrEqual(0)
        expect(block.accuracy).toBeLessThanOrEqual(1)
        expect(block.accuracyDrop).toBeCloseTo(ablation.accuracy - block.accuracy, 12)
      }
      expect(classifier.predict(EXAMPLES.map((example) => example.text))).toEqual(before)
    } finally {
      classifier.dispose()
    }
  })
})
