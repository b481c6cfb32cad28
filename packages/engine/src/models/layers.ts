/**
 * The building blocks every encoder uses, as plain functions over tfjs tensors:
 * linear (torch layout), LayerNorm, activations, dropout and multi-head attention.
 */
import * as tf from '@tensorflow/tfjs'
import { dropout as seededDropout, gelu, layerNorm as fusedLayerNorm, linear, maskedSoftmax } from '../backend/ops'
import type { HiddenActivation } from './config'

export interface ForwardOptions {
  /** Dropout is applied only when training. */
  training: boolean
  /** Seeds the dropout masks: the same seed gives the same masks, on any backend. */
  seed?: number
}

/**
 * State of one forward pass. Each dropout site draws its own seed (seed, seed+1, ...)
 * in call order, so a seeded pass is reproducible and no two sites share a mask.
 */
export class ForwardContext {
  private nextSeed: number | undefined
  /**
   * Every attention layer's own keys and values, in layer order, when the pass was asked
   * to record them (SequenceClassifier.attentionKeyValues); undefined otherwise.
   */
  readonly keyValues: PrefixKeyValue[] | undefined

  constructor(readonly training: boolean, seed?: number, { recordKeyValues = false }: { recordKeyValues?: boolean } = {}) {
    this.nextSeed = seed
    this.keyValues = recordKeyValues ? [] : undefined
  }

  /**
   * Attention calls this with its tokens' keys and values [batch, heads, seq, head size]
   * (after rotary, without any prefix): kept, outside any tidy scope, when recording.
   */
  recordKeyValue(key: tf.Tensor4D, value: tf.Tensor4D): void {
    if (this.keyValues) this.keyValues.push({ key: tf.keep(key), value: tf.keep(value) })
  }

  dropout<T extends tf.Tensor>(x: T, rate: number): T {
    if (!this.training || rate === 0) return x
    const seed = this.nextSeed
    if (seed === undefined) return tf.dropout(x, rate) as T
    this.nextSeed = seed + 1
    // tf.dropout's masks, drawn by one native kernel where the backend has it.
    return seededDropout(x, rate, seed) as T
  }
}

/** y = x W^T + b over the last axis of x, with W stored [out, in] as in torch.nn.Linear. */
export function dense(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const [outFeatures, inFeatures] = weight.shape as [number, number]
  const flat = x.reshape([-1, inFeatures]) as tf.Tensor2D
  // One fused kernel (bias included) where the backend has it, else matMul and add.
  return linear(flat, weight as tf.Tensor2D, bias).reshape([...x.shape.slice(0, -1), outFeatures])
}

export type LinearFunction = (x: tf.Tensor) => tf.Tensor

/**
 * The hook a PEFT method puts on a named linear layer. It receives the layer's input
 * and the frozen layer itself (`base`), and returns the layer's output; LoRA adds a
 * low-rank path, IA3 scales, and so on, without the model code knowing.
 */
export interface LinearAdapter {
  forward(x: tf.Tensor, base: LinearFunction, context: ForwardContext): tf.Tensor
  /** Frees tensors the adapter holds outside `model.parameters` (QLoRA's quantized weight); the model calls it on dispose. */
  dispose?(): void
}

/** LayerNorm over the last axis: one fused kernel where the backend has it (native wasm), else composed tfjs ops. */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  return fusedLayerNorm(x, weight, bias, eps)
}

const SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI)

export function activation(name: HiddenActivation, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'gelu': // exact: x Φ(x); one fused kernel where the backend has it, else composed tfjs ops
      return gelu(x)
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return x.mul(tf.tanh(x.add(x.mul(x).mul(x).mul(0.044715)).mul(SQRT_TWO_OVER_PI)).add(1)).mul(0.5)
    case 'relu':
      return tf.relu(x)
  }
}

/**
 * Additive attention bias from a [batch, seq] mask of 1 (attend) / 0 (padding):
 * 0 where attended, a large negative number where masked, shaped [batch, 1, 1, seq]
 * to broadcast over heads and query positions. (HF uses the dtype's minimum; any
 * value that underflows exp() gives the same probabilities.)
 */
export function attentionBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const [batch, seq] = attentionMask.shape
  return tf.scalar(1).sub(attentionMask.toFloat()).mul(-1e9).reshape([batch, 1, 1, seq])
}

/** One attention layer's prefix: key and value [batch, heads, P, headSize], already split into heads. */
export interface PrefixKeyValue {
  key: tf.Tensor4D
  value: tf.Tensor4D
}

/**
 * The hook prefix tuning sets on a model: P extra key/value positions that every
 * attention layer attends to, as HF models do with `past_key_values`. The model asks
 * once per forward pass and passes layer i's pair to its attention; with GQA, `heads`
 * is the number of key/value heads.
 */
export interface AttentionPrefix {
  /** P, the number of prefix positions. */
  readonly length: number
  /** One key/value pair per layer, for a batch of `batchSize`. */
  keyValues(batchSize: number, context: ForwardContext): PrefixKeyValue[]
}

/**
 * The attention bias for keys [prefix; tokens]: the prefix's P columns are always
 * attended (PEFT prepends ones to the attention mask). Works for any bias shape whose
 * last axis is the key axis ([batch, 1, 1, seq] padding or [batch, 1, seq, seq] causal).
 */
export function withPrefixColumns(bias: tf.Tensor4D, prefixLength: number): tf.Tensor4D {
  const [batch, heads, queries] = bias.shape
  return tf.concat([tf.zeros([batch, heads, queries, prefixLength]), bias], 3)
}

/**
 * softmax(Q K^T / sqrt(d) + bias) V over `numHeads` heads. Inputs are the projected
 * [batch, seq, hidden] query/key/value; the output has the same shape. A `prefix`
 * (prefix tuning) is prepended to the keys and values and always attended.
 */
export function multiHeadAttention(
  query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, bias: tf.Tensor4D,
  numHeads: number, dropoutRate: number, context: ForwardContext, prefix?: PrefixKeyValue,
): tf.Tensor {
  const [batch, seq, hidden] = query.shape as [number, number, number]
  const headSize = hidden / numHeads
  const splitHeads = (x: tf.Tensor) => x.reshape([batch, seq, numHeads, headSize]).transpose([0, 2, 1, 3]) as tf.Tensor4D
  const [tokenKeys, tokenValues] = [splitHeads(key), splitHeads(value)]
  context.recordKeyValue(tokenKeys, tokenValues)
  const keys = prefix ? tf.concat([prefix.key, tokenKeys], 2) : tokenKeys
  const values = prefix ? tf.concat([prefix.value, tokenValues], 2) : tokenValues
  const keyBias = prefix ? withPrefixColumns(bias, prefix.key.shape[2]) : bias
  const scores = tf.matMul(splitHeads(query), keys, false, true)
  // One fused kernel (scaling, mask and softmax, and its gradient) where the backend has it.
  const probabilities = context.dropout(maskedSoftmax(scores, keyBias, Math.sqrt(headSize)), dropoutRate)
  return tf.matMul(probabilities, values).transpose([0, 2, 1, 3]).reshape([batch, seq, hidden])
}
