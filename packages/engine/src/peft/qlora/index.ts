import { lora } from '../lora'
import type { PeftMethod } from '../types'
import { qloraConfigSchema } from './config'
import type { QloraConfig } from './config'
import { applyQlora, loraPart } from './model'

/**
 * QLoRA (Dettmers et al. 2023): LoRA over a base model whose linear weights are frozen
 * in 4-bit. Saved exactly as a LoRA adapter (peft_type "LORA"): in PEFT a QLoRA adapter
 * is a LoRA adapter, and the 4-bit settings belong to the base model's config.json
 * (`bitsAndBytesConfigJson`). Loading such a file gives `lora`, the first method with
 * that peft_type.
 */
export const qlora: PeftMethod<QloraConfig> = {
  name: 'qlora',
  configSchema: qloraConfigSchema,
  apply: applyQlora,
  adapterFormat: {
    peftType: 'LORA',
    toAdapterConfig: (model, config) => lora.adapterFormat!.toAdapterConfig(model, loraPart(config)),
    fromAdapterConfig: (json) => qloraConfigSchema.parse(lora.adapterFormat!.fromAdapterConfig(json)),
  },
}

export { qloraConfigSchema } from './config'
export type { QloraConfig } from './config'
export { QuantizedLinear } from './layer'
export { applyQlora, bitsAndBytesConfigJson, quantizedLayers, quantizedStorage } from './model'
export type { QuantizedStorage } from './model'
