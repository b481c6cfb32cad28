/**
 * Llama with a language-modelling head (HF `LlamaForCausalLM`): the decoder of
 * models/llama.ts, then `lm_head` [vocab, hidden] at every position, or the input
 * embedding matrix when `tie_word_embeddings` is set. It is a SequenceClassifier whose
 * head is `lm_head`, so every PEFT method that wraps linear layers (LoRA, QLoRA, IA3,
 * bottleneck adapters, full fine-tuning) applies to it unchanged. As in PEFT's
 * CAUSAL_LM task, the head is no `modules_to_save` and is never a LoRA target of
 * 'all-linear' (PEFT leaves the output layer out).
 *
 * `causalForward` runs the decoder over new tokens given a key/value cache of earlier
 * ones (keys stored after rotary), which is what incremental decoding needs.
 */
import * as tf from '@tensorflow/tfjs'
import type { NamedTensor } from '../io/safetensors'
import type { Architecture, ModelWeights } from '../models/architecture'
import { ForwardContext, attentionBias } from '../models/layers'
import { groupedQueryAttention, llama, llamaModules, mlp, rmsNorm } from '../models/llama'
import type { LlamaConfig } from '../models/llama-config'
import { linearModule } from '../models/parameters'
import { applyRotary, rotaryTables } from '../models/rotary'
import type { RotaryTables } from '../models/rotary'
import { SequenceClassifier } from '../models/sequence-classifier'

/** HF's ignore index: label positions with this value add nothing to the loss. */
export const IGNORE_INDEX = -100

export const LM_HEAD = 'lm_head'

/** Next-token logits [batch, seq, vocab] (or [batch, vocab] for pooled input) from final hidden states. */
function lmHead(model: ModelWeights<LlamaConfig>, hidden: tf.Tensor, context: ForwardContext): tf.Tensor {
  if (model.config.tieWordEmbeddings) return tf.matMul(hidden.reshape([-1, model.config.hiddenSize]), model.weight('model.embed_tokens.weight'), false, true).reshape([...hidden.shape.slice(0, -1), model.config.vocabSize])
  return model.linear(LM_HEAD, hidden, context)
}

export const llamaCausalLM: Architecture<LlamaConfig> = {
  basePrefix: 'model',
  // PEFT's CAUSAL_LM task saves no head: the LM head is part of the base model.
  headModules: [],
  modules: (config) => {
    const modules = llamaModules(config).filter((module) => module.name !== 'score')
    if (!config.tieWordEmbeddings) modules.push(linearModule(LM_HEAD, config.hiddenSize, config.vocabSize, { bias: false }))
    return modules
  },
  encode: llama.encode,
  pool: llama.pool,
  // The next-token logits after the last real token, [batch, vocab].
  classify: (model, pooled, context) => lmHead(model, pooled, context) as tf.Tensor2D,
}

/** A Llama causal LM: the linear layers PEFT may target are the decoder's, never lm_head. */
export class CausalLM extends SequenceClassifier<LlamaConfig> {
  override linearLayerNames(): string[] {
    return super.linearLayerNames().filter((name) => name !== LM_HEAD)
  }
}

/**
 * A causal LM for `config` (id2label is ignored), each parameter from `weights` (an HF
 * LlamaForCausalLM checkpoint) when present, else initialised as HF does.
 */
export function createCausalLM(config: LlamaConfig, weights: Map<string, NamedTensor> | undefined, { seed }: { seed: number }): CausalLM {
  if (config.modelType !== 'llama') throw new Error(`a causal LM needs a llama config, got ${String((config as { modelType: unknown }).modelType)}`)
  return new CausalLM(config, llamaCausalLM, weights, seed)
}

/** One decoder layer's cached keys (after rotary) and values, [batch, kvHeads, past, headDim]. */
export interface LayerCache {
  key: tf.Tensor4D
  value: tf.Tensor4D
}

export interface KeyValueCache {
  layers: LayerCache[]
  /** Positions cached so far (the same for every row: padding counts as a position). */
  length: number
}

export interface CausalForwardOutput {
  /** [batch, seq, vocab] for the new tokens. */
  logits: tf.Tensor3D
  /** Earlier keys and values with the new tokens' appended; only when `useCache`. */
  cache?: KeyValueCache
}

export interface CausalForwardOptions {
  training: boolean
  seed?: number
  /** Keys and values of the tokens before `inputIds`. */
  cache?: KeyValueCache
  /** Return the cache extended by these tokens. Default: true when a cache is given. */
  useCache?: boolean
}

/**
 * Logits for `inputIds` [batch, seq] after the cached positions. `attentionMask` covers
 * every position, cached and new ([batch, past + seq]): 1 real, 0 padding (left padding
 * for batched prompts). Query i (absolute position past + i) sees key j iff j ≤ past + i
 * and key j is real. Rotary positions count from `past`, as HF's with past_key_values.
 * The caller disposes the returned tensors (and any cache it passed in, once replaced).
 */
export function causalForward(model: CausalLM, inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, options: CausalForwardOptions): CausalForwardOutput {
  const { config } = model
  const past = options.cache?.length ?? 0
  const useCache = options.useCache ?? options.cache !== undefined
  const seq = inputIds.shape[1]
  if (attentionMask.shape[1] !== past + seq) throw new Error(`attention mask covers ${attentionMask.shape[1]} positions; the cache holds ${past} and ${seq} are new`)
  // tidy returns plain tensors: [logits, key 0, value 0, key 1, value 1, …].
  const [logits, ...keyValues] = tf.tidy(() => {
    const context = new ForwardContext(options.training, options.seed)
    const rotary = rotaryTables(config, past, seq)
    const causal = tf.linalg.bandPart(tf.ones([seq, past + seq]), -1, past)
    const bias = attentionBias(attentionMask).add(tf.scalar(1).sub(causal).mul(-1e9).reshape([1, 1, seq, past + seq])) as tf.Tensor4D
    let x = tf.gather(model.weight('model.embed_tokens.weight'), inputIds) as tf.Tensor3D
    const cached: tf.Tensor4D[] = []
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const input = x
      const [hidden, key, value] = tf.tidy(() => cachedLayer(model, `model.layers.${i}`, input, bias, rotary, context, options.cache?.layers[i]))
      x = hidden as tf.Tensor3D
      if (useCache) cached.push(key as tf.Tensor4D, value as tf.Tensor4D)
    }
    return [lmHead(model, rmsNorm(model, 'model.norm', x), context), ...cached]
  })
  if (!useCache) return { logits: logits as tf.Tensor3D }
  const layers = Array.from({ length: config.numHiddenLayers }, (_, i) => ({ key: keyValues[2 * i] as tf.Tensor4D, value: keyValues[2 * i + 1] as tf.Tensor4D }))
  return { logits: logits as tf.Tensor3D, cache: { layers, length: past + seq } }
}

function cachedLayer(
  model: CausalLM, layer: string, x: tf.Tensor3D, bias: tf.Tensor4D, rotary: RotaryTables, context: ForwardContext, cache: LayerCache | undefined,
): [tf.Tensor3D, tf.Tensor4D, tf.Tensor4D] {
  const { numAttentionHeads: heads, numKeyValueHeads: keyValueHeads, headDim, attentionDropout } = model.config
  const [batch, seq] = x.shape
  const normed = rmsNorm(model, `${layer}.input_layernorm`, x)
  const name = `${layer}.self_attn`
  const project = (projection: string, count: number) =>
    model.linear(`${name}.${projection}`, normed, context).reshape([batch, seq, count, headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D
  const query = applyRotary(project('q_proj', heads), rotary)
  const newKey = applyRotary(project('k_proj', keyValueHeads), rotary)
  const newValue = project('v_proj', keyValueHeads)
  const key = cache ? tf.concat([cache.key, newKey], 2) : newKey
  const value = cache ? tf.concat([cache.value, newValue], 2) : newValue
  const attended = groupedQueryAttention(query, key, value, bias, attentionDropout, context)
  const attention = model.linear(`${name}.o_proj`, attended.transpose([0, 2, 1, 3]).reshape([batch, seq, heads * headDim]), context)
  const afterAttention = x.add(attention)
  const hidden = afterAttention.add(mlp(model, `${layer}.mlp`, rmsNorm(model, `${layer}.post_attention_layernorm`, afterAttention), context)) as tf.Tensor3D
  return [hidden, key, value]
}

export function disposeCache(cache: KeyValueCache | undefined): void {
  cache?.layers.forEach((layer) => tf.dispose([layer.key, layer.value]))
}

/**
 * HF's causal-LM loss: position t's logits predict label t + 1 (the shift happens
 * here), averaged over every label that is not IGNORE_INDEX. logits [batch, seq, vocab],
 * labels int32 [batch, seq] (input ids, with prompt and padding positions set to -100).
 */
export function causalLmLoss(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [batch, seq, vocab] = logits.shape
    const shiftedLogits = logits.slice([0, 0, 0], [batch, seq - 1, vocab])
    const shiftedLabels = labels.slice([0, 1], [batch, seq - 1])
    const keep = shiftedLabels.notEqual(IGNORE_INDEX).toFloat()
    const targets = tf.oneHot(shiftedLabels.maximum(0).toInt(), vocab).toFloat()
    const tokenLogLikelihood = tf.logSoftmax(shiftedLogits).mul(targets).sum(-1)
    return tokenLogLikelihood.mul(keep).sum().neg().div(keep.sum().maximum(1)) as tf.Scalar
  })
}

/**
 * Each sequence's log-likelihood of every label token (shifted as in the loss), for
 * perplexity: one array per row, the ignored positions left out.
 */
export function tokenLogLikelihoods(model: CausalLM, inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, labels: number[][]): number[][] {
  const values = tf.tidy(() => {
    const { logits } = causalForward(model, inputIds, attentionMask, { training: false })
    const [batch, seq, vocab] = logits.shape
    const shifted = tf.tensor2d(labels.map((row) => row.slice(1).map((label) => Math.max(label, 0))), [batch, seq - 1], 'int32')
    return tf.logSoftmax(logits.slice([0, 0, 0], [batch, seq - 1, vocab])).mul(tf.oneHot(shifted, vocab).toFloat()).sum(-1)
  })
  const flat = values.arraySync() as number[][]
  values.dispose()
  return flat.map((row, r) => row.filter((_, t) => labels[r]![t + 1] !== IGNORE_INDEX))
}
