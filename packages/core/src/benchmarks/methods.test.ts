import { describe, expect, it } from 'vitest'
import { METHOD_CATALOG } from './methods'

describe('METHOD_CATALOG', () => {
  it('runs mlm-pretrain as a pretrain job and checks that heads divide the hidden size', () => {
    const pretrain = METHOD_CATALOG['mlm-pretrain']
    expect(pretrain.jobKind).toBe('pretrain')
    expect(pretrain.config.safeParse({ hidden_size: 64, num_attention_heads: 2, vocab_size: 4000 }).success).toBe(true)
    expect(pretrain.config.safeParse({ hidden_size: 64, num_attention_heads: 3 }).error?.issues[0]?.message).toMatch(/multiple of num_attention_heads/)
    expect(pretrain.config.safeParse({ r: 8 }).success).toBe(false)
  })

  it('accepts the LoRA fields the engine implements, with PEFT names', () => {
    expect(METHOD_CATALOG.lora.config.safeParse({ r: 8, lora_alpha: 16, lora_dropout: 0.1, target_modules: 'all-linear', bias: 'none', use_rslora: true }).success).toBe(true)
    expect(METHOD_CATALOG.lora.config.safeParse({ lora_dropout: 1 }).success).toBe(false)
    expect(METHOD_CATALOG.full.config.safeParse({ r: 8 }).success).toBe(false)
  })
})
