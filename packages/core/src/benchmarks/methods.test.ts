import { describe, expect, it } from 'vitest'
import { HYBRID_CLASSIFIER_METHODS, METHOD_CATALOG, METHOD_NAMES } from './methods'
import { isServable } from '../analysis/constraints'

describe('METHOD_CATALOG', () => {
  it('lets a hybrid mix exactly the servable methods (not itself, not llm-api), and serves the hybrid', () => {
    expect([...HYBRID_CLASSIFIER_METHODS].sort()).toEqual(METHOD_NAMES.filter((method) => isServable(method) && method !== 'hybrid').sort())
    expect(isServable('hybrid')).toBe(true)
    expect(METHOD_CATALOG.hybrid.jobKind).toBe('hybrid')
  })

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

  it('accepts prefix tuning (PEFT names) and bottleneck adapters (AdapterHub names) as train jobs', () => {
    expect(METHOD_CATALOG['prefix-tuning'].jobKind).toBe('train')
    expect(METHOD_CATALOG['prefix-tuning'].config.safeParse({ num_virtual_tokens: 20, prefix_projection: true, encoder_hidden_size: 128, learning_rate: 0.01 }).success).toBe(true)
    expect(METHOD_CATALOG['prefix-tuning'].config.safeParse({ token_dim: 16 }).success).toBe(false)
    expect(METHOD_CATALOG.adapter.jobKind).toBe('train')
    expect(METHOD_CATALOG.adapter.config.safeParse({ adapter_type: 'pfeiffer', hidden_size: 64, non_linearity: 'swish', dropout: 0.1 }).success).toBe(true)
    expect(METHOD_CATALOG.adapter.config.safeParse({ adapter_type: 'compacter' }).success).toBe(false)
  })

  it('accepts QLoRA (LoRA + BitsAndBytesConfig names) and IA3 (PEFT names) as train jobs', () => {
    expect(METHOD_CATALOG.qlora.jobKind).toBe('train')
    expect(METHOD_CATALOG.qlora.config.safeParse({ r: 16, lora_alpha: 32, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: 'bfloat16' }).success).toBe(true)
    expect(METHOD_CATALOG.qlora.config.safeParse({ bnb_4bit_quant_type: 'int8' }).success).toBe(false)
    expect(METHOD_CATALOG.qlora.config.safeParse({ load_in_4bit: true }).success).toBe(false)
    expect(METHOD_CATALOG.ia3.jobKind).toBe('train')
    expect(METHOD_CATALOG.ia3.config.safeParse({ target_modules: ['key', 'value', 'output.dense'], feedforward_modules: ['output.dense'], learning_rate: 0.003 }).success).toBe(true)
    expect(METHOD_CATALOG.ia3.config.safeParse({ target_modules: ['key'], feedforward_modules: ['output.dense'] }).error?.issues[0]?.message).toMatch(/subset of target_modules/)
    expect(METHOD_CATALOG.ia3.config.safeParse({ r: 8 }).success).toBe(false)
  })

  it('runs the frozen-feature and LLM-API baselines as baseline jobs; the endpoint itself cannot be set per request', () => {
    expect(METHOD_CATALOG['frozen-probe'].jobKind).toBe('baseline')
    expect(METHOD_CATALOG['frozen-probe'].config.safeParse({ C: 1, max_iterations: 100, max_length: 64, batch_size: 64 }).success).toBe(true)
    expect(METHOD_CATALOG['frozen-probe'].config.safeParse({ center: true }).success).toBe(false)
    expect(METHOD_CATALOG.centroid.config.safeParse({ center: false, max_length: 64 }).success).toBe(true)
    expect(METHOD_CATALOG.centroid.config.safeParse({ C: 1 }).success).toBe(false)
    const llm = METHOD_CATALOG['llm-api'].config
    expect(METHOD_CATALOG['llm-api'].jobKind).toBe('baseline')
    expect(llm.safeParse({ model: 'gpt-4o-mini', few_shot_labels: 10, examples_per_label: 2, max_queries: 200, concurrency: 4, response_format: 'json_schema', price_per_1k_input_tokens: 0.00015 }).success).toBe(true)
    expect(llm.safeParse({ base_url: 'https://elsewhere.example' }).success).toBe(false)
    expect(llm.safeParse({ api_key: 'sk-…' }).success).toBe(false)
    expect(llm.safeParse({ max_queries: 0 }).success).toBe(false)
  })
})
