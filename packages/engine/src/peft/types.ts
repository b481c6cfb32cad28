import type * as tf from '@tensorflow/tfjs'
import type { z } from 'zod'
import type { NamedTensor } from '../io/safetensors'
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

/** The base model's tokenizer, as much of it as a method needs (the Tokenizer class fits). */
export interface PeftTokenizer {
  /** Token ids of one text, with the model's special tokens unless told otherwise. */
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[]
}

export interface ApplyOptions {
  /** Seeds the initialisation of the method's new weights. */
  seed: number
  /** For a config that holds text (prefix tuning's prefix_init_text): required there, unused otherwise. */
  tokenizer?: PeftTokenizer
}

/** One adaptation method: its config (fields and defaults as in HF PEFT) and how it changes a model. */
export interface PeftMethod<Config> {
  name: string
  configSchema: z.ZodType<Config>
  apply(model: SequenceClassifier, config: Config, options: ApplyOptions): AppliedPeft<Config>
  /** How PEFT stores the method (bottleneck adapters borrow the frame); absent for methods with no adapter file (full fine-tuning). */
  adapterFormat?: {
    /** `peft_type` in adapter_config.json, e.g. "LORA". */
    peftType: string
    /** The method's fields of adapter_config.json, as PEFT writes them. */
    toAdapterConfig(model: SequenceClassifier, config: Config): Record<string, unknown>
    fromAdapterConfig(json: Record<string, unknown>): Config
    /** Where the weights lie in adapter_model.safetensors, when not where PEFT's tuners put them. */
    layout?: AdapterLayout<Config>
  }
}

/**
 * PEFT's tuners (LoRA, IA3, …) save each adapterWeights entry as `base_model.model.` +
 * its key. Prompt learning saves otherwise: the prefixes as `prompt_embeddings`, the
 * head under `base_model.` (there PeftModel.base_model is the transformer itself).
 */
export interface AdapterLayout<Config> {
  /** The file key of an adapterWeights entry; loading fills each entry from its file key. */
  fileKey(weightKey: string): string
  /** The tensors to write by file key, when they are not each adapterWeights entry under its fileKey. */
  save?(applied: AppliedPeft<Config>): Map<string, NamedTensor>
}
