import type * as tf from '@tensorflow/tfjs'
import type { z } from 'zod'
import type { SequenceClassifier } from '../models'

export interface ParameterCounts {
  trainable: number
  total: number
}

/** A PEFT method applied to a model: what to train and what to save. */
export interface AppliedPeft<Config = unknown> {
  method: string
  config: Config
  /** The variables the optimizer updates; everything else is frozen (trainable = false). */
  trainableVariables: tf.Variable[]
  /** What adapter_model.safetensors holds, by PEFT key without the `base_model.model.` prefix. */
  adapterWeights: Map<string, tf.Variable>
  parameterCounts: ParameterCounts
}

export interface ApplyOptions {
  /** Seeds the initialisation of the method's new weights. */
  seed: number
}

/** One adaptation method: its config (fields and defaults as in HF PEFT) and how it changes a model. */
export interface PeftMethod<Config> {
  name: string
  configSchema: z.ZodType<Config>
  apply(model: SequenceClassifier, config: Config, options: ApplyOptions): AppliedPeft<Config>
  /** How PEFT stores the method; absent for methods with no PEFT adapter file (full fine-tuning). */
  adapterFormat?: {
    /** `peft_type` in adapter_config.json, e.g. "LORA". */
    peftType: string
    /** The method's fields of adapter_config.json, as PEFT writes them. */
    toAdapterConfig(model: SequenceClassifier, config: Config): Record<string, unknown>
    fromAdapterConfig(json: Record<string, unknown>): Config
  }
}
