import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { fineTuneGenerator, normalizeGenerated } from './fine-tune-generator'

beforeAll(async () => {
  await initBackend()
})

const ITEMS = ['card', 'loan', 'pin', 'transfer']
const VERBS = ['where is my', 'i need help with my', 'what about the', 'tell me about my', 'problem with my']
const PAIRS = ITEMS.flatMap((item) => VERBS.map((verb) => ({ prompt: `${verb} ${item}`, target: `${item} help` })))
const TINY = { vocab_size: 80, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 64, max_length: 16, max_new_tokens: 4, pretrain_epochs: 30, pretrain_learning_rate: 1e-2 }

describe('fineTuneGenerator', () => {
  it.each(['lora', 'full'] as const)('pretrains a tiny decoder, fine-tunes it with %s on prompt → target, and generates', async (method) => {
    const tuned = await fineTuneGenerator({
      train: PAIRS, validation: PAIRS.slice(0, 6), method, peftConfig: method === 'lora' ? { r: 4, target_modules: 'all-linear' } : {},
      settings: TINY, epochs: 40, batchSize: 8, learningRate: method === 'lora' ? 3e-2 : 1e-2, seed: 3,
    })
    try {
      expect(tuned.pretrainResult?.steps).toBeGreaterThan(0)
      const losses = tuned.result.history.map((epoch) => epoch.validation?.loss ?? Number.NaN)
      expect(losses.at(-1)!).toBeLessThan(losses[0]!)
      if (method === 'lora') expect(tuned.parameterCounts.ratio).toBeLessThan(0.5)
      const generated = tuned.generator.generate(PAIRS.map((pair) => pair.prompt), { batchSize: 7 })
      expect(generated.texts).toHaveLength(PAIRS.length)
      expect(generated.tokenCounts.every((count) => count >= 1 && count <= 4)).toBe(true)
      // Mechanics, not quality: a decoder this small, trained for a few seconds, outputs target-shaped text ('<item> help').
      expect(generated.texts.filter((text) => / help$/.test(normalizeGenerated(text))).length).toBeGreaterThan(PAIRS.length / 2)
      const likelihoods = tuned.generator.targetLogLikelihoods(PAIRS.slice(0, 3))
      expect(likelihoods.map((row) => row.length)).toEqual([3, 3, 3])
    } finally {
      tuned.generator.dispose()
    }
  }, 60_000)
})
