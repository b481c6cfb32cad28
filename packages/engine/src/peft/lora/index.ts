import type { PeftMethod } from '../types'
import { loraConfigSchema } from './config'
import type { LoraConfig } from './config'
import { applyLora, modulesToSave, targetLayers, targetModules } from './model'

/** Fields of PEFT's LoraConfig this engine does not implement; an adapter that sets them cannot load here. */
const UNSUPPORTED_WHEN_SET: Record<string, (value: unknown) => boolean> = {
  use_dora: (value) => value === true,
  layers_to_transform: (value) => value != null,
  rank_pattern: (value) => value != null && Object.keys(value).length > 0,
  alpha_pattern: (value) => value != null && Object.keys(value).length > 0,
}

export const lora: PeftMethod<LoraConfig> = {
  name: 'lora',
  configSchema: loraConfigSchema,
  apply: applyLora,
  adapterFormat: {
    peftType: 'LORA',
    toAdapterConfig: (model, config) => ({
      r: config.r,
      lora_alpha: config.lora_alpha,
      lora_dropout: config.lora_dropout,
      // PEFT resolves "all-linear" to layer-name suffixes before saving.
      target_modules: config.target_modules === 'all-linear'
        ? [...new Set(targetLayers(model, config).map((name) => name.split('.').at(-1)!))].sort()
        : targetModules(model, config),
      bias: config.bias,
      modules_to_save: modulesToSave(model, config),
      fan_in_fan_out: config.fan_in_fan_out,
      init_lora_weights: config.init_lora_weights,
      use_rslora: config.use_rslora,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
      use_dora: false,
    }),
    fromAdapterConfig: (json) => {
      for (const [field, isSet] of Object.entries(UNSUPPORTED_WHEN_SET)) {
        if (isSet(json[field])) throw new Error(`adapter_config.json sets ${field}, which this engine does not support`)
      }
      const fields = Object.keys(loraConfigSchema.shape).filter((field) => json[field] !== undefined)
      return loraConfigSchema.parse(Object.fromEntries(fields.map((field) => [field, json[field]])))
    },
  },
}

export { loraConfigSchema, DEFAULT_TARGET_MODULES } from './config'
export type { LoraConfig } from './config'
export { LoraLayer } from './layer'
export { mergeLora, unmergeLora, targetLayers, modulesToSave } from './model'
