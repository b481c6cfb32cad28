/** Llama counterparts of fixtures.ts: the PyTorch reference models and a tiny random config. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseLlamaConfig } from '../llama-config'
import type { LlamaConfig } from '../llama-config'
import { REFERENCE_DIR, readReference } from './fixtures'
import type { ReferenceFixture } from './fixtures'

export interface LlamaReferenceFixture extends ReferenceFixture<LlamaConfig> {
  /** Per layer, prefix keys and values [kvHeads, P, headDim], the same for every row (as PEFT's prefix tuning). */
  prefix: Array<{ key: number[][][]; value: number[][][] }>
  /** The logits with that prefix passed as past_key_values. */
  prefixLogits: number[][]
}

/** One model written by test-fixtures/make_llama_reference.py. */
export function loadLlamaReference(name: 'llama' | 'llama-rope-llama3'): LlamaReferenceFixture {
  const expected = JSON.parse(readFileSync(join(REFERENCE_DIR, name, 'expected.json'), 'utf8')) as Pick<LlamaReferenceFixture, 'prefix'> & { prefix_logits: number[][] }
  return { ...readReference(name, parseLlamaConfig), prefix: expected.prefix, prefixLogits: expected.prefix_logits }
}

/**
 * A 2-layer, hidden-16 Llama with grouped-query attention (4 query heads sharing 2
 * key/value heads) that reads fixtures.ts's tinyBatch (pad id 0, vocabulary 30).
 */
export function tinyLlamaConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    modelType: 'llama',
    vocabSize: 30,
    hiddenSize: 16,
    intermediateSize: 32,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    headDim: 4,
    hiddenAct: 'silu',
    maxPositionEmbeddings: 32,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    ropeScaling: null,
    attentionDropout: 0,
    initializerRange: 0.2,
    padTokenId: 0,
    bosTokenId: 1,
    eosTokenId: 2,
    tieWordEmbeddings: false,
    id2label: ['a', 'b', 'c', 'd'],
    ...overrides,
  }
}
