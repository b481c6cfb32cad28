/**
 * Adapters in HF PEFT's file layout, so an adapter trained here loads in Python PEFT
 * (`PeftModel.from_pretrained`) and back: adapter_config.json + adapter_model.safetensors
 * with keys like `base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight`
 * (no adapter name) and the head as `base_model.model.classifier.weight`.
 */
import * as tf from '@tensorflow/tfjs'
import { fromFloat32, readSafetensors, toFloat32, writeSafetensors } from '../io/safetensors'
import type { NamedTensor } from '../io/safetensors'
import type { SequenceClassifier } from '../models'
import { QUANTIZATION_FIELDS } from './qlora/config'
import { peftMethod, peftMethodForType } from './registry'
import type { AppliedPeft } from './types'

const KEY_PREFIX = 'base_model.model.'

/** PEFT's tuner layout: PeftModel.base_model is the tuner, which holds the transformer as `.model`. */
const tunerFileKey = (weightKey: string) => KEY_PREFIX + weightKey

export interface AdapterFiles {
  'adapter_config.json': Record<string, unknown>
  'adapter_model.safetensors': Uint8Array
}

export interface SaveAdapterOptions {
  /** Where the base model came from, recorded as PEFT records it. */
  baseModelNameOrPath?: string | null
  /** PEFT's task type: SEQ_CLS (default, the sequence classifier), TOKEN_CLS (the slot tagger) or CAUSAL_LM (the generator); the same tuner files. */
  taskType?: AdapterTaskType
}

export type AdapterTaskType = 'SEQ_CLS' | 'TOKEN_CLS' | 'CAUSAL_LM'

export function saveAdapter(model: SequenceClassifier, applied: AppliedPeft, options: SaveAdapterOptions = {}): AdapterFiles {
  const format = peftMethod(applied.method).adapterFormat
  if (!format) throw new Error(`${applied.method} has no PEFT adapter format: save the whole model as a checkpoint instead`)
  const fileKey = format.layout?.fileKey ?? tunerFileKey
  const tensors = format.layout?.save?.(applied) ?? new Map<string, NamedTensor>(
    [...applied.adapterWeights].map(([key, variable]) => [fileKey(key), fromFloat32(variable.dataSync() as Float32Array, variable.shape)]))
  return {
    'adapter_config.json': {
      peft_type: format.peftType,
      task_type: options.taskType ?? 'SEQ_CLS',
      base_model_name_or_path: options.baseModelNameOrPath ?? null,
      revision: null,
      inference_mode: true,
      ...format.toAdapterConfig(model, applied.config),
    },
    'adapter_model.safetensors': writeSafetensors(tensors, { format: 'pt' }),
  }
}

export interface LoadAdapterOptions {
  /**
   * The base model's `quantization_config` (transformers' BitsAndBytesConfig JSON, as
   * `bitsAndBytesConfigJson` writes it for a QLoRA run). With `load_in_4bit`, a LoRA
   * adapter is loaded as QLoRA onto the 4-bit base it was trained on, as PEFT loads it
   * onto a base loaded in 4-bit; without, onto the fp32 base.
   */
  quantizationConfig?: Record<string, unknown> | null
  /** The task the model is built for; the adapter's task_type must match. Default SEQ_CLS. */
  taskType?: AdapterTaskType
}

/**
 * Applies the adapter's method to a freshly created base model and loads its weights.
 * Every key in the file must belong to the method's weights, and every weight must be
 * in the file: a partial adapter is an error, never silently random.
 */
export function loadAdapter(model: SequenceClassifier, files: AdapterFiles, { quantizationConfig, taskType = 'SEQ_CLS' }: LoadAdapterOptions = {}): AppliedPeft {
  const json = files['adapter_config.json']
  if (json.task_type !== undefined && json.task_type !== taskType) {
    throw new Error(`adapter_config.json task_type ${JSON.stringify(json.task_type)}: only ${taskType} adapters load into this model`)
  }
  const fourBit = quantizationConfig?.load_in_4bit === true
  if (fourBit && json.peft_type !== 'LORA') throw new Error(`a 4-bit base takes a LORA adapter (QLoRA), not ${JSON.stringify(json.peft_type)}`)
  const method = fourBit ? peftMethod('qlora') : peftMethodForType(json.peft_type)
  const format = method.adapterFormat!
  // The 4-bit settings come from the base's quantization_config; everything else from the adapter's config.
  const config = fourBit
    ? method.configSchema.parse({ ...format.fromAdapterConfig(json) as object, ...pick(quantizationConfig, QUANTIZATION_FIELDS) })
    : format.fromAdapterConfig(json)
  const applied = method.apply(model, config, { seed: 0 })
  const tensors = readSafetensors(files['adapter_model.safetensors']).tensors
  const fileKeyOf = format.layout?.fileKey ?? tunerFileKey
  const weightKeys = new Map([...applied.adapterWeights.keys()].map((key) => [fileKeyOf(key), key]))
  const missing = new Set(applied.adapterWeights.keys())
  for (const [fileKey, tensor] of tensors) {
    // A key written without the layout's prefix is taken as the weight's own name.
    const key = weightKeys.get(fileKey) ?? fileKey
    const variable = applied.adapterWeights.get(key)
    if (!variable) throw new Error(`adapter_model.safetensors has ${fileKey}, which this ${model.config.modelType} model with this adapter config does not have`)
    if (tensor.shape.join(',') !== variable.shape.join(',')) {
      throw new Error(`adapter_model.safetensors: ${fileKey} has shape [${tensor.shape}], the model needs [${variable.shape}]`)
    }
    tf.tidy(() => variable.assign(tf.tensor(toFloat32(tensor), variable.shape, 'float32')))
    missing.delete(key)
  }
  if (missing.size > 0) throw new Error(`adapter_model.safetensors lacks ${[...missing].map(fileKeyOf).join(', ')}`)
  return applied
}

function pick(json: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((field) => json[field] !== undefined).map((field) => [field, json[field]]))
}
