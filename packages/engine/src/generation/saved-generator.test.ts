import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint'
import { mergeLora } from '../peft'
import { beamSearch } from './beam-search'
import { fineTuneGenerator } from './fine-tune-generator'
import { greedyGenerate } from './generate'
import { loadGenerator, saveGenerator } from './saved-generator'

beforeAll(async () => {
  await initBackend()
})

const ITEMS = ['card', 'loan', 'pin', 'transfer']
const VERBS = ['where is my', 'i need help with my', 'tell me about my']
const PAIRS = ITEMS.flatMap((item) => VERBS.map((verb) => ({ prompt: `${verb} ${item}`, target: `${item} help` })))
const TINY = { vocab_size: 80, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, intermediate_size: 32, max_length: 16, max_new_tokens: 4, pretrain_epochs: 2, num_beams: 2 }

describe('saveGenerator / loadGenerator', () => {
  it.each(['lora', 'full'] as const)('a %s generator saved as files and loaded back writes what the trained one wrote, logit for logit', async (method) => {
    const tuned = await fineTuneGenerator({
      train: PAIRS, method, peftConfig: method === 'lora' ? { r: 4, target_modules: 'all-linear' } : {},
      settings: TINY, epochs: 2, batchSize: 4, learningRate: 1e-2, seed: 5,
    })
    const directory = await mkdtemp(join(tmpdir(), 'bankbench-generator-'))
    const trained = tuned.generator
    try {
      const saved = saveGenerator(trained, tuned.applied)
      expect(saved.adapter === null).toBe(method === 'full')
      if (saved.adapter) expect(saved.adapter['adapter_config.json']).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM' })
      expect(saved.checkpoint.config).toMatchObject({ model_type: 'llama', architectures: ['LlamaForCausalLM'] })
      expect([...saved.checkpoint.weights.keys()].some((name) => name.includes('lora_'))).toBe(false)
      await saveCheckpoint(directory, saved.checkpoint)
      const adapter = saved.adapter && { 'adapter_config.json': JSON.parse(JSON.stringify(saved.adapter['adapter_config.json'])) as Record<string, unknown>, 'adapter_model.safetensors': saved.adapter['adapter_model.safetensors'] }
      const loaded = loadGenerator(await loadCheckpoint(directory), adapter, JSON.parse(JSON.stringify(saved.decoding)) as typeof saved.decoding)
      try {
        expect(loaded.numBeams).toBe(2)
        const prompts = PAIRS.map((pair) => pair.prompt)
        const encoded = prompts.map((prompt) => trained.encodePrompt(prompt))
        expect(prompts.map((prompt) => loaded.encodePrompt(prompt))).toEqual(encoded)
        expect(loaded.generate(prompts).texts).toEqual(trained.generate(prompts).texts)
        const options = { maxNewTokens: 4, eosTokenId: trained.eos, padTokenId: trained.tokenizer.padTokenId, recordLogits: true }
        const before = greedyGenerate(trained.model, encoded, options)
        const after = greedyGenerate(loaded.model, encoded, options)
        expect(after.tokens).toEqual(before.tokens)
        const expected = before.logits!.flat(2)
        after.logits!.flat(2).forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(1e-6))
        const beamBefore = beamSearch(trained.model, encoded, { ...options, numBeams: 2 })
        const beamAfter = beamSearch(loaded.model, encoded, { ...options, numBeams: 2 })
        expect(beamAfter.tokens).toEqual(beamBefore.tokens)
        beamAfter.scores.forEach((score, i) => expect(Math.abs(score - beamBefore.scores[i]!)).toBeLessThan(1e-6))
        if (method === 'lora') {
          // Served with LoRA folded into the weights: the same tokens (float sums in another order).
          mergeLora(loaded.model)
          expect(greedyGenerate(loaded.model, encoded, options).tokens).toEqual(before.tokens)
        }
      } finally {
        loaded.dispose()
      }
    } finally {
      trained.dispose()
      await rm(directory, { recursive: true, force: true })
    }
  }, 60_000)
})
