/**
 * Llama (modeling_llama.py) for sequence classification: a pre-norm decoder with
 * RMSNorm, rotary position embeddings, grouped-query causal attention and a SwiGLU
 * MLP; the `score` head reads the last real token of each sequence.
 */
import * as tf from '@tensorflow/tfjs'
import { maskedSoftmax } from '../backend/ops'
import type { Architecture, ModelWeights } from './architecture'
import { attentionBias, withPrefixColumns } from './layers'
import type { ForwardContext, PrefixKeyValue } from './layers'
import type { LlamaConfig } from './llama-config'
import { embeddingModule, linearModule, rmsNormModule } from './parameters'
import type { ModuleSpec } from './parameters'
import { applyRotary, rotaryTables } from './rotary'
import type { RotaryTables } from './rotary'

type LlamaWeights = ModelWeights<LlamaConfig>

export function llamaModules(config: LlamaConfig): ModuleSpec[] {
  const { hiddenSize: h, intermediateSize, headDim } = config
  const noBias = { bias: false }
  const modules = [embeddingModule('model.embed_tokens', config.vocabSize, h, config.padTokenId ?? undefined)]
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `model.layers.${i}`
    modules.push(
      rmsNormModule(`${layer}.input_layernorm`, h),
      linearModule(`${layer}.self_attn.q_proj`, h, config.numAttentionHeads * headDim, noBias),
      linearModule(`${layer}.self_attn.k_proj`, h, config.numKeyValueHeads * headDim, noBias),
      linearModule(`${layer}.self_attn.v_proj`, h, config.numKeyValueHeads * headDim, noBias),
      linearModule(`${layer}.self_attn.o_proj`, config.numAttentionHeads * headDim, h, noBias),
      rmsNormModule(`${layer}.post_attention_layernorm`, h),
      linearModule(`${layer}.mlp.gate_proj`, h, intermediateSize, noBias),
      linearModule(`${layer}.mlp.up_proj`, h, intermediateSize, noBias),
      linearModule(`${layer}.mlp.down_proj`, intermediateSize, h, noBias),
    )
  }
  modules.push(rmsNormModule('model.norm', h), linearModule('score', h, config.id2label.length, noBias))
  return modules
}

/** x / sqrt(mean(x²) + eps) · weight: LayerNorm without centring or bias. */
export function rmsNorm(model: LlamaWeights, name: string, x: tf.Tensor): tf.Tensor {
  const meanSquare = x.square().mean(-1, true)
  return x.mul(tf.rsqrt(meanSquare.add(model.config.rmsNormEps))).mul(model.weight(`${name}.weight`))
}

/**
 * Additive bias [batch, 1, seq, seq]: a query attends to itself and earlier keys
 * (causal), never to padding keys. Padding keys only matter with left padding: with
 * right padding causality already hides them from every real token.
 */
function causalAttentionBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const seq = attentionMask.shape[1]
  const causal = tf.linalg.bandPart(tf.ones([seq, seq]), -1, 0)
  return attentionBias(attentionMask).add(tf.scalar(1).sub(causal).mul(-1e9).reshape([1, 1, seq, seq]))
}

/**
 * softmax(q kᵀ / √d + bias) v for query [batch, heads, seq, d] and key/value
 * [batch, kvHeads, keys, d], query head j reading key/value head ⌊j / groups⌋ as after
 * HF's repeat_kv. Each group of query heads is folded into its key/value head's rows
 * instead of copying keys and values `groups` times (and tfjs has no gradient for the
 * rank-5 tile that copying takes).
 */
export function groupedQueryAttention(
  query: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, bias: tf.Tensor4D, dropoutRate: number, context: ForwardContext,
): tf.Tensor4D {
  const [batch, heads, seq, headDim] = query.shape
  const [, keyValueHeads, keys] = key.shape
  const groupRows = (heads / keyValueHeads) * seq
  const scores = tf.matMul(query.reshape([batch, keyValueHeads, groupRows, headDim]), key, false, true).reshape([batch, heads, seq, keys])
  // softmax(scores / √d + bias), fused into one native kernel where the backend has it.
  const probabilities = context.dropout(maskedSoftmax(scores, bias, Math.sqrt(headDim)), dropoutRate).reshape([batch, keyValueHeads, groupRows, keys])
  return tf.matMul(probabilities, value).reshape([batch, heads, seq, headDim])
}

/**
 * `attentionPrefix` (prefix tuning) holds [batch, kvHeads, P, headDim] keys and values
 * put before the tokens' own, as HF uses past_key_values: as they are, no rotary.
 */
function selfAttention(
  model: LlamaWeights, name: string, x: tf.Tensor3D, bias: tf.Tensor4D, rotary: RotaryTables, context: ForwardContext,
  attentionPrefix?: PrefixKeyValue,
): tf.Tensor {
  const { numAttentionHeads: heads, numKeyValueHeads: keyValueHeads, headDim, attentionDropout } = model.config
  const [batch, seq] = x.shape
  const project = (projection: string, count: number) =>
    model.linear(`${name}.${projection}`, x, context).reshape([batch, seq, count, headDim]).transpose([0, 2, 1, 3]) as tf.Tensor4D
  const withPrefix = (tokens: tf.Tensor4D, prefix: tf.Tensor4D | undefined) => (prefix ? tf.concat([prefix, tokens], 2) : tokens)
  const query = applyRotary(project('q_proj', heads), rotary)
  const [tokenKeys, tokenValues] = [applyRotary(project('k_proj', keyValueHeads), rotary), project('v_proj', keyValueHeads)]
  context.recordKeyValue(tokenKeys, tokenValues)
  const key = withPrefix(tokenKeys, attentionPrefix?.key)
  const value = withPrefix(tokenValues, attentionPrefix?.value)
  const attended = groupedQueryAttention(query, key, value, bias, attentionDropout, context)
  return model.linear(`${name}.o_proj`, attended.transpose([0, 2, 1, 3]).reshape([batch, seq, heads * headDim]), context)
}

/** SwiGLU: down_proj(silu(gate_proj(x)) · up_proj(x)), silu(z) = z · sigmoid(z). */
export function mlp(model: LlamaWeights, prefix: string, x: tf.Tensor, context: ForwardContext): tf.Tensor {
  const gate = model.linear(`${prefix}.gate_proj`, x, context)
  return model.linear(`${prefix}.down_proj`, gate.mul(tf.sigmoid(gate)).mul(model.linear(`${prefix}.up_proj`, x, context)), context)
}

function decoderLayer(
  model: LlamaWeights, layer: string, x: tf.Tensor3D, bias: tf.Tensor4D, rotary: RotaryTables, context: ForwardContext,
  attentionPrefix?: PrefixKeyValue,
): tf.Tensor3D {
  const normed = rmsNorm(model, `${layer}.input_layernorm`, x) as tf.Tensor3D
  x = x.add(selfAttention(model, `${layer}.self_attn`, normed, bias, rotary, context, attentionPrefix))
  return x.add(mlp(model, `${layer}.mlp`, rmsNorm(model, `${layer}.post_attention_layernorm`, x), context))
}

/**
 * Each row's hidden state at its last attention_mask = 1 position. HF's
 * LlamaForSequenceClassification finds that token from input_ids instead: the last
 * token that is not pad_token_id (transformers >= 4.48), earlier releases one before
 * the first pad token. All three agree whenever pad_token_id appears exactly at the
 * masked positions, as with a tokenizer's own padding (test-fixtures/make_llama_reference.py
 * checks it on its inputs). They differ only when real tokens carry the pad id (pad = eos
 * with an eos appended): HF skips those, the mask keeps them; and the mask needs no pad
 * token at all, which many Llama checkpoints lack.
 */
function lastRealToken(hidden: tf.Tensor3D, attentionMask: tf.Tensor2D): tf.Tensor2D {
  const seq = attentionMask.shape[1]
  const lastIndex = tf.argMax(attentionMask.toInt().mul(tf.range(0, seq, 1, 'int32')), 1)
  // A one-hot weighted sum rather than a gather: its gradient needs no scatter kernel.
  const select = tf.oneHot(lastIndex, seq).toFloat().expandDims(2)
  return hidden.mul(select).sum(1) as tf.Tensor2D
}

export const llama: Architecture<LlamaConfig> = {
  basePrefix: 'model',
  headModules: ['score'],

  modules: llamaModules,

  encode: (model, inputs, context) => {
    const { config, attentionPrefix } = model
    const [batch, seq] = inputs.inputIds.shape
    // Under a prefix, positions count on from its length and every token sees all of it (PEFT prepends ones to the mask).
    const prefixLength = attentionPrefix?.length ?? 0
    const prefixes = attentionPrefix?.keyValues(batch, context)
    const rotary = rotaryTables(config, prefixLength, seq)
    const causal = causalAttentionBias(inputs.attentionMask)
    const bias = attentionPrefix ? withPrefixColumns(causal, prefixLength) : causal
    let x = tf.gather(model.weight('model.embed_tokens.weight'), inputs.inputIds) as tf.Tensor3D
    for (let i = 0; i < config.numHiddenLayers; i++) {
      // A scope per layer frees its intermediates as soon as it ends: inference then holds one layer's
      // activations, not every layer's. (While training, tfjs keeps what the gradients need regardless.)
      const input = x
      x = tf.tidy(() => decoderLayer(model, `model.layers.${i}`, input, bias, rotary, context, prefixes?.[i]))
    }
    return rmsNorm(model, 'model.norm', x) as tf.Tensor3D
  },

  pool: (_model, hidden, _context, attentionMask) => lastRealToken(hidden, attentionMask),

  classify: (model, pooled, context) => model.linear('score', pooled, context) as tf.Tensor2D,
}
