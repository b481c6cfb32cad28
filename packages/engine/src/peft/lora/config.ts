/** LoRA settings, named and defaulted as in HF PEFT's LoraConfig. */
import { z } from 'zod'
import { moduleSelectorSchema } from '../module-selector'

export const loraConfigSchema = z.strictObject({
  r: z.number().int().positive().max(1024).default(8).describe('Rank of the update B·A.'),
  lora_alpha: z.number().positive().default(8).describe('The update is scaled by lora_alpha / r (lora_alpha / sqrt(r) with use_rslora).'),
  lora_dropout: z.number().min(0).lt(1).default(0).describe('Dropout on the input of the LoRA path, while training.'),
  target_modules: moduleSelectorSchema.nullable().default(null).describe(
    'Linear layers to adapt: a list of names or name suffixes (["query", "value"]), a regular expression that must match the whole '
    + 'name, or "all-linear" (every linear layer outside the classification head). null: the model type\'s PEFT default.'),
  bias: z.enum(['none', 'all', 'lora_only']).default('none').describe('Which biases train: none, all of them, or those of the adapted layers.'),
  modules_to_save: z.array(z.string().min(1)).nullable().default(null).describe(
    'Modules trained in full and saved with the adapter. The classification head is always added, as PEFT does for SEQ_CLS.'),
  fan_in_fan_out: z.boolean().default(false).describe('For layers storing weights [in, out] (GPT-2 Conv1D); encoder Linear layers are [out, in], so false.'),
  init_lora_weights: z.union([z.boolean(), z.literal('gaussian')]).default(true).describe(
    'true: A kaiming-uniform, B zeros (the model starts unchanged); "gaussian": A normal(0, 1/r), B zeros; false: both random (tests only).'),
  use_rslora: z.boolean().default(false).describe('Rank-stabilised scaling lora_alpha / sqrt(r).'),
})

export type LoraConfig = z.output<typeof loraConfigSchema>

/** PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING for the models here. */
export const DEFAULT_TARGET_MODULES: Record<string, string[]> = {
  bert: ['query', 'value'],
  roberta: ['query', 'value'],
  distilbert: ['q_lin', 'v_lin'],
  llama: ['q_proj', 'v_proj'],
}
