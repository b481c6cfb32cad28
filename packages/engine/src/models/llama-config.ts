/**
 * Llama configuration (HF `LlamaConfig`, model_type "llama"), read from and written
 * back to config.json. Fields and defaults are LlamaConfig's; what this engine does
 * not implement (biases on the projections, rope types other than llama3) is refused
 * by name rather than silently computed differently.
 */
import { labelsToJson, optionalNumber, parseLabels, requireNumber } from './config'
import type { Json } from './config'

/** Llama 3.1/3.2's `rope_scaling: {rope_type: "llama3", ...}`: stretches the low rotary frequencies. */
export interface Llama3RopeScaling {
  ropeType: 'llama3'
  factor: number
  lowFreqFactor: number
  highFreqFactor: number
  originalMaxPositionEmbeddings: number
}

export interface LlamaConfig {
  modelType: 'llama'
  vocabSize: number
  hiddenSize: number
  intermediateSize: number
  numHiddenLayers: number
  numAttentionHeads: number
  /** Fewer than numAttentionHeads means grouped-query attention: each key/value head serves a group of query heads. */
  numKeyValueHeads: number
  /** Size of one attention head; hidden_size / num_attention_heads unless config.json says otherwise. */
  headDim: number
  hiddenAct: 'silu'
  maxPositionEmbeddings: number
  rmsNormEps: number
  ropeTheta: number
  ropeScaling: Llama3RopeScaling | null
  attentionDropout: number
  initializerRange: number
  /** Llama checkpoints often define no pad token (null); padding is then known from the attention mask alone. */
  padTokenId: number | null
  bosTokenId: number | null
  /** A list in Llama 3 instruct checkpoints. */
  eosTokenId: number | number[] | null
  /** Ties lm_head to embed_tokens in causal-LM checkpoints; kept for config.json, sequence classification has no lm_head. */
  tieWordEmbeddings: boolean
  /** Label names by class index; its length is num_labels. */
  id2label: string[]
}

export function parseLlamaConfig(json: Json): LlamaConfig {
  if (json.model_type !== 'llama') throw new Error(`config.json: model_type ${JSON.stringify(json.model_type)} is not llama`)
  for (const field of ['attention_bias', 'mlp_bias']) {
    if (json[field] === true) throw new Error(`config.json: ${field} true is not supported; Llama projections here have no bias`)
  }
  const hiddenAct = json.hidden_act ?? 'silu'
  if (hiddenAct !== 'silu') throw new Error(`config.json: hidden_act ${JSON.stringify(hiddenAct)} is not supported for llama; use silu`)
  const hiddenSize = optionalNumber(json, 'hidden_size', 4096)
  const numAttentionHeads = optionalNumber(json, 'num_attention_heads', 32)
  const numKeyValueHeads = optionalNumber(json, 'num_key_value_heads', numAttentionHeads)
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    throw new Error(`config.json: num_attention_heads ${numAttentionHeads} must be a multiple of num_key_value_heads ${numKeyValueHeads}`)
  }
  if (json.head_dim == null && hiddenSize % numAttentionHeads !== 0) {
    throw new Error(`config.json: hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numAttentionHeads}; set head_dim`)
  }
  return {
    modelType: 'llama',
    vocabSize: requireNumber(json, 'vocab_size'),
    hiddenSize,
    intermediateSize: optionalNumber(json, 'intermediate_size', 11008),
    numHiddenLayers: optionalNumber(json, 'num_hidden_layers', 32),
    numAttentionHeads,
    numKeyValueHeads,
    headDim: optionalNumber(json, 'head_dim', hiddenSize / numAttentionHeads),
    hiddenAct,
    maxPositionEmbeddings: optionalNumber(json, 'max_position_embeddings', 2048),
    rmsNormEps: optionalNumber(json, 'rms_norm_eps', 1e-6),
    ropeTheta: optionalNumber(json, 'rope_theta', 10000),
    ropeScaling: parseRopeScaling(json.rope_scaling),
    attentionDropout: optionalNumber(json, 'attention_dropout', 0),
    initializerRange: optionalNumber(json, 'initializer_range', 0.02),
    padTokenId: json.pad_token_id == null ? null : requireNumber(json, 'pad_token_id'),
    bosTokenId: json.bos_token_id === null ? null : optionalNumber(json, 'bos_token_id', 1),
    eosTokenId: parseEosTokenId(json.eos_token_id),
    tieWordEmbeddings: json.tie_word_embeddings === true,
    id2label: parseLabels(json),
  }
}

export function llamaConfigToJson(config: LlamaConfig): Json {
  const scaling = config.ropeScaling
  return {
    model_type: 'llama',
    architectures: ['LlamaForSequenceClassification'],
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    num_key_value_heads: config.numKeyValueHeads,
    head_dim: config.headDim,
    hidden_act: config.hiddenAct,
    max_position_embeddings: config.maxPositionEmbeddings,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: scaling && {
      rope_type: scaling.ropeType,
      factor: scaling.factor,
      low_freq_factor: scaling.lowFreqFactor,
      high_freq_factor: scaling.highFreqFactor,
      original_max_position_embeddings: scaling.originalMaxPositionEmbeddings,
    },
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: config.attentionDropout,
    initializer_range: config.initializerRange,
    pad_token_id: config.padTokenId,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    tie_word_embeddings: config.tieWordEmbeddings,
    ...labelsToJson(config.id2label),
  }
}

/** HF accepts the rope type under `rope_type` or the older `type`; "default" means no scaling. */
function parseRopeScaling(value: unknown): Llama3RopeScaling | null {
  if (value == null) return null
  const json = value as Json
  const ropeType = json.rope_type ?? json.type
  if (ropeType === 'default') return null
  if (ropeType !== 'llama3') {
    throw new Error(`config.json: rope_scaling type ${JSON.stringify(ropeType)} is not supported for llama; only llama3 (or none) is`)
  }
  const field = (name: string) => requireNumber(json, name)
  return {
    ropeType,
    factor: field('factor'),
    lowFreqFactor: field('low_freq_factor'),
    highFreqFactor: field('high_freq_factor'),
    originalMaxPositionEmbeddings: field('original_max_position_embeddings'),
  }
}

function parseEosTokenId(value: unknown): number | number[] | null {
  if (value === undefined) return 2
  if (value === null || typeof value === 'number' || (Array.isArray(value) && value.every((id) => typeof id === 'number'))) {
    return value as number | number[] | null
  }
  throw new Error(`config.json: eos_token_id must be a number or a list of numbers, got ${JSON.stringify(value)}`)
}
