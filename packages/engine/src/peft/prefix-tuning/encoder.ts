/**
 * PEFT's PrefixEncoder and get_prompt: the trainable prefixes and how they become each
 * layer's extra keys and values (Li & Liang 2021, "Prefix-Tuning").
 */
import * as tf from '@tensorflow/tfjs'
import { dense } from '../../models'
import type { AttentionPrefix, PrefixKeyValue } from '../../models'

/** Parameter names as in PEFT's `prompt_encoder.<adapter>.…`, without the adapter name. */
export const PREFIX_PARAMETERS = {
  embedding: 'prompt_encoder.embedding.weight',
  transformIn: 'prompt_encoder.transform.0',
  transformOut: 'prompt_encoder.transform.2',
} as const

/** How the prefixes are laid out over the model's attention. */
export interface PrefixDimensions {
  numVirtualTokens: number
  numLayers: number
  numHeads: number
  /** numHeads × head size: the width of one layer's keys. */
  tokenDim: number
}

/**
 * PrefixEncoder.forward: every layer's prefixes, [P, num_layers × 2 × token_dim]. The
 * embedding itself, or with prefix_projection Linear(Tanh(Linear(embedding))).
 */
export function encodePrefixes(weights: ReadonlyMap<string, tf.Tensor>): tf.Tensor2D {
  const embedding = weights.get(PREFIX_PARAMETERS.embedding) as tf.Tensor2D
  const { transformIn, transformOut } = PREFIX_PARAMETERS
  if (!weights.has(`${transformIn}.weight`)) return embedding
  const hidden = tf.tanh(dense(embedding, weights.get(`${transformIn}.weight`)!, weights.get(`${transformIn}.bias`)))
  return dense(hidden, weights.get(`${transformOut}.weight`)!, weights.get(`${transformOut}.bias`)) as tf.Tensor2D
}

/** The model's attention prefix: PEFT's get_prompt for prefix tuning. */
export class PrefixEncoder implements AttentionPrefix {
  constructor(private readonly weights: ReadonlyMap<string, tf.Variable>, private readonly dimensions: PrefixDimensions) {}

  get length(): number {
    return this.dimensions.numVirtualTokens
  }

  /**
   * PEFT views the prefixes as [P, layers, 2, heads, head size] (key before value within
   * a layer) and permutes them to per-layer [batch, heads, P, head size]. The prefixes do
   * not depend on the input, so they are computed once and repeated over the batch: by a
   * broadcast add onto zeros rather than tf.tile, whose gradient tfjs computes as one
   * slice and add per batch row (a prefix-tuning step took 3x a LoRA step); the add's
   * gradient is one sum over the batch axis.
   */
  keyValues(batchSize: number): PrefixKeyValue[] {
    const { numVirtualTokens, numLayers, numHeads, tokenDim } = this.dimensions
    const perLayer = encodePrefixes(this.weights)
      .reshape([numVirtualTokens, numLayers, 2, numHeads, tokenDim / numHeads])
      .transpose([1, 2, 3, 0, 4])
    const batchOfZeros = tf.zeros([batchSize, 1, 1, 1])
    const forBatch = (prefix: tf.Tensor) => tf.add(batchOfZeros, prefix.expandDims(0)) as tf.Tensor4D
    // tfjs hands Unpack's gradient a bare tensor, not an array, when it has one output:
    // a one-layer model's backward pass failed in stack(). squeeze has a plain gradient.
    const layers = numLayers === 1 ? [perLayer.squeeze([0])] : tf.unstack(perLayer)
    return layers.map((layer) => {
      const [key, value] = tf.unstack(layer)
      return { key: forBatch(key!), value: forBatch(value!) }
    })
  }
}
