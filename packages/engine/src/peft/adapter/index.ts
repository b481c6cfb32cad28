import type { PeftMethod } from '../types'
import { adapterConfigSchema, resolveAdapterConfig } from './config'
import type { AdapterConfig } from './config'
import { applyAdapters } from './model'

/**
 * Bottleneck adapters are no PEFT type: their files borrow PEFT's file names and
 * adapter_config.json frame (so they travel and load like the other adapters here),
 * under a peft_type of their own that Python PEFT refuses, with AdapterHub-style keys
 * such as `bert.encoder.layer.0.output.adapters.default.adapter_up.weight` and the head
 * under its own names (`classifier.weight`).
 */
export const adapter: PeftMethod<AdapterConfig> = {
  name: 'adapter',
  configSchema: adapterConfigSchema,
  apply: applyAdapters,
  adapterFormat: {
    peftType: 'BOTTLENECK_ADAPTER',
    toAdapterConfig: (model, config) => {
      const { bottleneck, nonLinearity } = resolveAdapterConfig(config, model.config.hiddenSize)
      return {
        adapter_type: config.adapter_type,
        hidden_size: bottleneck,
        reduction_factor: model.config.hiddenSize / bottleneck,
        non_linearity: nonLinearity,
        dropout: config.dropout,
      }
    },
    fromAdapterConfig: (json) => {
      const fields = Object.keys(adapterConfigSchema.shape).filter((field) => json[field] !== undefined)
      return adapterConfigSchema.parse(Object.fromEntries(fields.map((field) => [field, json[field]])))
    },
    layout: { fileKey: (weightKey) => weightKey },
  },
}

export { adapterConfigSchema, resolveAdapterConfig } from './config'
export type { AdapterConfig, NonLinearity } from './config'
export { BottleneckAdapter } from './layer'
export { adapterSites } from './model'
export type { AdapterSite } from './model'
