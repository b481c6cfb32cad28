/**
 * How QLoRA changes a model: LoRA on the target layers, exactly as peft/lora does,
 * then every linear layer of the base model (not the classification head, which
 * trains in full) stored 4-bit, its fp32 weight disposed.
 */
import type { SequenceClassifier } from '../../models'
import { quantize4bit } from '../../quantization'
import { applyLora, modulesToSave } from '../lora/model'
import { loraConfigSchema } from '../lora/config'
import type { LoraConfig } from '../lora/config'
import { LoraLayer } from '../lora/layer'
import { isInsideModules } from '../trainable'
import type { AppliedPeft, ApplyOptions } from '../types'
import { QUANTIZATION_FIELDS } from './config'
import type { QloraConfig } from './config'
import { QuantizedLinear } from './layer'

/** The LoRA half of a QLoRA config: what PEFT's LoraConfig (and adapter_config.json) holds. */
export function loraPart(config: QloraConfig): LoraConfig {
  const fields = Object.entries(config).filter(([field]) => !(QUANTIZATION_FIELDS as readonly string[]).includes(field))
  return loraConfigSchema.parse(Object.fromEntries(fields))
}

/** The linear layers transformers quantizes with load_in_4bit: all but the ones that train in full (the head). */
export function quantizedLayers(model: SequenceClassifier, config: QloraConfig): string[] {
  const trainedInFull = modulesToSave(model, loraPart(config))
  return model.linearLayerNames().filter((name) => !isInsideModules(name, trainedInFull))
}

export function applyQlora(model: SequenceClassifier, config: QloraConfig, options: ApplyOptions): AppliedPeft<QloraConfig> {
  const lora = applyLora(model, loraPart(config), options)
  let quantizedParameters = 0
  for (const layer of quantizedLayers(model, config)) {
    const weight = model.weight(`${layer}.weight`)
    const quantized = quantize4bit(weight, config.bnb_4bit_quant_type, config.bnb_4bit_use_double_quant)
    model.parameters.delete(`${layer}.weight`)
    weight.dispose()
    quantizedParameters += quantized.size
    const loraLayer = model.adapters.get(layer)
    model.adapters.set(layer, new QuantizedLinear(quantized, model.parameters.get(`${layer}.bias`), loraLayer instanceof LoraLayer ? loraLayer : undefined))
  }
  return {
    ...lora,
    method: 'qlora',
    config,
    // A 4-bit weight still is out × in parameters, as PEFT's print_trainable_parameters counts them.
    parameterCounts: { trainable: model.countParameters('trainable'), total: model.countParameters('all') + quantizedParameters },
  }
}

export interface QuantizedStorage {
  /** Parameters stored 4-bit. */
  parameters: number
  /** Bytes they take: packed codes and absmax constants. */
  bytes: number
}

/** What the 4-bit base weights of a QLoRA model take in memory. */
export function quantizedStorage(model: SequenceClassifier): QuantizedStorage {
  let parameters = 0
  let bytes = 0
  for (const adapter of model.adapters.values()) {
    if (!(adapter instanceof QuantizedLinear)) continue
    parameters += adapter.weight.size
    bytes += adapter.weight.storageBytes
  }
  return { parameters, bytes }
}

/**
 * The `quantization_config` of the base model's config.json, as transformers writes
 * it for BitsAndBytesConfig(load_in_4bit=True, …). PEFT keeps quantization out of
 * adapter_config.json: a QLoRA adapter is a LoRA adapter, and the base model says how
 * it was loaded.
 */
export function bitsAndBytesConfigJson(config: QloraConfig, model: SequenceClassifier): Record<string, unknown> {
  return {
    quant_method: 'bitsandbytes',
    load_in_4bit: true,
    load_in_8bit: false,
    bnb_4bit_quant_type: config.bnb_4bit_quant_type,
    bnb_4bit_use_double_quant: config.bnb_4bit_use_double_quant,
    bnb_4bit_compute_dtype: config.bnb_4bit_compute_dtype,
    bnb_4bit_quant_storage: 'uint8',
    llm_int8_skip_modules: modulesToSave(model, loraPart(config)),
  }
}
