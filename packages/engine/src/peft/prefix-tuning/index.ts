import * as tf from '@tensorflow/tfjs'
import { fromFloat32 } from '../../io/safetensors'
import type { NamedTensor } from '../../io/safetensors'
import type { AppliedPeft, PeftMethod } from '../types'
import { prefixTuningConfigSchema } from './config'
import type { PrefixTuningConfig } from './config'
import { PREFIX_PARAMETERS, encodePrefixes } from './encoder'
import { applyPrefixTuning, modulesToSave, prefixDimensions } from './model'

/**
 * PEFT's get_peft_model_state_dict for prompt learning: the prefixes as
 * `prompt_embeddings` [P, num_layers × 2 × token_dim] (projected, when prefix_projection
 * trains an MLP), and the head under `base_model.`, PeftModel's name for the transformer.
 */
const PROMPT_EMBEDDINGS = 'prompt_embeddings'
const fileKey = (weightKey: string) => (weightKey === PREFIX_PARAMETERS.embedding ? PROMPT_EMBEDDINGS : `base_model.${weightKey}`)

function savedTensors(applied: AppliedPeft<PrefixTuningConfig>): Map<string, NamedTensor> {
  const asNamed = (tensor: tf.Tensor) => fromFloat32(tensor.dataSync() as Float32Array, tensor.shape)
  const prefixes = tf.tidy(() => encodePrefixes(applied.adapterWeights).clone())
  const tensors = new Map([[PROMPT_EMBEDDINGS, asNamed(prefixes)]])
  prefixes.dispose()
  for (const [key, variable] of applied.adapterWeights) {
    if (!key.startsWith('prompt_encoder.')) tensors.set(fileKey(key), asNamed(variable))
  }
  return tensors
}

export const prefixTuning: PeftMethod<PrefixTuningConfig> = {
  name: 'prefix-tuning',
  configSchema: prefixTuningConfigSchema,
  apply: applyPrefixTuning,
  adapterFormat: {
    peftType: 'PREFIX_TUNING',
    toAdapterConfig: (model, config) => {
      const { numVirtualTokens, numLayers, numHeads, tokenDim } = prefixDimensions(model, config)
      return {
        num_virtual_tokens: numVirtualTokens,
        token_dim: tokenDim,
        num_transformer_submodules: 1,
        num_attention_heads: numHeads,
        num_layers: numLayers,
        encoder_hidden_size: config.encoder_hidden_size ?? tokenDim,
        prefix_projection: config.prefix_projection,
        modules_to_save: modulesToSave(model, config),
      }
    },
    // The file holds the projected prefixes: load them as PEFT does, in inference mode (no MLP).
    fromAdapterConfig: (json) => {
      const fields = Object.keys(prefixTuningConfigSchema.shape).filter((field) => json[field] !== undefined)
      return prefixTuningConfigSchema.parse({ ...Object.fromEntries(fields.map((field) => [field, json[field]])), inference_mode: true })
    },
    layout: { fileKey, save: savedTensors },
  },
}

export { prefixTuningConfigSchema } from './config'
export type { PrefixTuningConfig } from './config'
export { PrefixEncoder, encodePrefixes } from './encoder'
export type { PrefixDimensions } from './encoder'
export { prefixDimensions } from './model'
