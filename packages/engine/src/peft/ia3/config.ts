/** IA3 settings, named and defaulted as in HF PEFT's IA3Config. */
import { z } from 'zod'
import { moduleSelectorSchema } from '../module-selector'

const moduleNames = moduleSelectorSchema.nullable().default(null)

export const ia3ConfigSchema = z.strictObject({
  target_modules: moduleNames.describe(
    'Linear layers that get a scaling vector: a list of names or name suffixes, a regular expression matching the whole name, '
    + 'or "all-linear". null: the model type\'s PEFT default (BERT, RoBERTa: key, value, output.dense).'),
  feedforward_modules: moduleNames.describe(
    'Which target layers scale their input (vector of in_features) rather than their output (vector of out_features). '
    + 'A list entry matches names ending with it (PEFT\'s plain endswith), a string as a whole-name regular expression. null: PEFT\'s default.'),
  fan_in_fan_out: z.boolean().default(false).describe('For layers storing weights [in, out] (GPT-2 Conv1D); encoder Linear layers are [out, in], so false.'),
  modules_to_save: z.array(z.string().min(1)).nullable().default(null).describe(
    'Modules trained in full and saved with the adapter. The classification head is always added, as PEFT does for SEQ_CLS.'),
  init_ia3_weights: z.boolean().default(true).describe('true: the vectors start at ones (the model starts unchanged); false: normal(0, 1), tests only.'),
}).refine(
  (config) => !Array.isArray(config.target_modules) || !Array.isArray(config.feedforward_modules)
    || config.feedforward_modules.every((module) => (config.target_modules as string[]).includes(module)),
  { message: 'feedforward_modules should be a subset of target_modules', path: ['feedforward_modules'] },
)

export type Ia3Config = z.output<typeof ia3ConfigSchema>

/** PEFT's TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING for the models here (it has no DistilBERT entry). */
export const DEFAULT_TARGET_MODULES: Record<string, string[]> = {
  bert: ['key', 'value', 'output.dense'],
  roberta: ['key', 'value', 'output.dense'],
  llama: ['k_proj', 'v_proj', 'down_proj'],
}

/** PEFT's TRANSFORMERS_MODELS_TO_IA3_FEEDFORWARD_MODULES_MAPPING for the models here. */
export const DEFAULT_FEEDFORWARD_MODULES: Record<string, string[]> = {
  bert: ['output.dense'],
  roberta: ['output.dense'],
  llama: ['down_proj'],
}
