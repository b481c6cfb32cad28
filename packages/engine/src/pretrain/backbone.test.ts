import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { backboneSettingsSchema, PRETRAIN_DEFAULTS, pretrainBackbone } from './backbone'

beforeAll(async () => {
  await initBackend()
})

const TEXTS = ['i lost my card', 'what is my balance', 'send money to my friend', 'my card was stolen', 'exchange rate for euro']

describe('pretrainBackbone', () => {
  it('has the defaults the local backbone was sized with', () => {
    expect(PRETRAIN_DEFAULTS).toEqual({
      vocab_size: 4000, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 256, learning_rate: 1e-3,
      batch_size: 32, warmup_ratio: 0.06, weight_decay: 0.01, max_length: 64, mask_probability: 0.15, classifier_pooling: 'mean', contrastive_weight: 0, contrastive_temperature: 0.05,
    })
  })

  it('learns a vocabulary and builds a BERT of the settings asked for, recording its pooling', async () => {
    const settings = { vocab_size: 100, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_length: 16 }
    const { checkpoint, vocabSize, training } = await pretrainBackbone(TEXTS, TEXTS.slice(0, 2), settings, { epochs: 0, seed: 1 })
    expect(checkpoint.config).toMatchObject({ model_type: 'bert', hidden_size: 8, num_hidden_layers: 1, max_position_embeddings: 16, classifier_pooling: 'mean', vocab_size: vocabSize })
    expect(training.steps).toBe(0)
  })

  it('refuses settings the engine cannot build, naming the field', async () => {
    expect(backboneSettingsSchema.safeParse({ hidden_size: 64, num_attention_heads: 3 }).error?.issues[0]).toMatchObject({ path: ['num_attention_heads'] })
    await expect(pretrainBackbone(TEXTS, [], { layers: 2 } as never, { epochs: 0, seed: 1 })).rejects.toThrow(/layers/)
  })

  it('continues from a checkpoint with its vocabulary, shape and weights, unless the settings give a shape', async () => {
    const shape = { vocab_size: 100, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_length: 16 }
    const base = (await pretrainBackbone(TEXTS, TEXTS.slice(0, 2), shape, { epochs: 1, seed: 1 })).checkpoint
    const continued = await pretrainBackbone(['a brand new vocabulary of words'], [], { max_length: 16 }, { epochs: 0, seed: 2, from: base })
    expect(continued.checkpoint.tokenizer).toEqual(base.tokenizer)
    expect(continued.checkpoint.config).toMatchObject({ hidden_size: 8, vocab_size: base.config.vocab_size })
    const name = 'bert.embeddings.word_embeddings.weight'
    expect(continued.checkpoint.weights.get(name)!.bytes).toEqual(base.weights.get(name)!.bytes)
    const fresh = await pretrainBackbone(TEXTS, [], { ...shape, hidden_size: 4 }, { epochs: 0, seed: 2, from: base })
    expect(fresh.checkpoint.config).toMatchObject({ hidden_size: 4 })
  })
})
