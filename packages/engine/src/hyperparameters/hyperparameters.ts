/**
 * What a benchmark may set for each method the engine runs, as plain data: name, type,
 * range, default and where the value goes. Read from the engine's own schemas (each
 * PEFT method's configSchema, the trainer's trainerSettingsSchema, the backbone's
 * backboneSettingsSchema) and defaults (TRAINER_DEFAULTS, PEFT_DEFAULTS), so it cannot
 * drift from what the engine accepts. The API's validation (packages/core's
 * METHOD_CATALOG) is generated from it: scripts/write-method-hyperparameters.ts.
 */
import { z } from 'zod'
import { PEFT_DEFAULTS, TRAINER_DEFAULTS, trainerSettingsSchema } from '../fine-tune/train-settings'
import { PEFT_METHODS } from '../peft/registry'
import type { PeftMethodName } from '../peft/registry'
import { QUANTIZATION_FIELDS } from '../peft/qlora/config'
import { backboneSettingsSchema, PRETRAIN_DEFAULTS } from '../pretrain/backbone'

export type HyperparameterType =
  | 'integer'
  | 'number'
  | 'boolean'
  | 'enum'
  /** A list of layer names or name suffixes, or a string: "all-linear" or a regular expression the whole layer name must match (PEFT's target_modules). */
  | 'modules'

export interface HyperparameterDescription {
  /** The name an arm's config or grid gives it (PEFT's field name for PEFT fields). */
  name: string
  /** Where the value goes: the method's PEFT config (`LoraConfig.r`), the trainer, or the backbone's pretraining. */
  appliesTo: 'peft' | 'trainer' | 'pretrain'
  /** The library field it stands for (`LoraConfig.r`, `BitsAndBytesConfig.bnb_4bit_quant_type`); null for the trainer's and the backbone's. */
  peftField: string | null
  type: HyperparameterType
  /** The choices of an enum. */
  values?: string[]
  minimum?: number
  exclusiveMinimum?: number
  maximum?: number
  exclusiveMaximum?: number
  /** What a run uses when the arm leaves it out; null where the engine works it out from the model (the description says how). */
  default: unknown
  /** The library's own default, where the platform's differs (LoRA's rank 16 against PEFT's 8). */
  libraryDefault?: unknown
  description: string
}

/** The methods whose hyperparameters the engine owns: its PEFT methods and the local backbone's pretraining. */
export type EngineMethodName = PeftMethodName | 'mlm-pretrain'

/**
 * The PEFT fields a benchmark may set. The others are worked out from the model
 * (prefix tuning's token_dim, num_layers, num_attention_heads, num_transformer_submodules),
 * fixed by the platform (modules_to_save: the classification head is always trained and
 * saved; fan_in_fan_out: encoder weights are [out, in]) or only for loading a saved
 * adapter and for tests (inference_mode, init_lora_weights).
 */
export const BENCHMARK_PEFT_FIELDS: Record<PeftMethodName, readonly string[]> = {
  full: [],
  lora: ['r', 'lora_alpha', 'lora_dropout', 'target_modules', 'bias', 'use_rslora'],
  qlora: ['r', 'lora_alpha', 'lora_dropout', 'target_modules', 'bias', 'use_rslora', ...QUANTIZATION_FIELDS],
  ia3: ['target_modules', 'feedforward_modules', 'init_ia3_weights'],
  'prefix-tuning': ['num_virtual_tokens', 'prefix_projection', 'encoder_hidden_size'],
  adapter: ['adapter_type', 'hidden_size', 'reduction_factor', 'non_linearity', 'dropout'],
}

/** The library class whose field each PEFT method's hyperparameter is (bottleneck adapters follow AdapterHub, not PEFT). */
const CONFIG_CLASS: Record<PeftMethodName, string | null> = {
  full: null,
  lora: 'LoraConfig',
  qlora: 'LoraConfig',
  ia3: 'IA3Config',
  'prefix-tuning': 'PrefixTuningConfig',
  adapter: 'AdapterHub BnConfig',
}

/** Every engine method's hyperparameters, trainer fields first, in schema order. */
export const METHOD_HYPERPARAMETERS: Record<EngineMethodName, HyperparameterDescription[]> = {
  ...Object.fromEntries((Object.keys(PEFT_METHODS) as PeftMethodName[]).map((method) => [method, trainMethodHyperparameters(method)])) as Record<PeftMethodName, HyperparameterDescription[]>,
  'mlm-pretrain': Object.entries(backboneSettingsSchema.shape).map(([name, schema]) =>
    describeField(name, schema, { appliesTo: 'pretrain', peftField: null, default: PRETRAIN_DEFAULTS[name as keyof typeof PRETRAIN_DEFAULTS] })),
}

function trainMethodHyperparameters(method: PeftMethodName): HyperparameterDescription[] {
  const trainerDefaults: Record<string, unknown> = { ...TRAINER_DEFAULTS.common, ...TRAINER_DEFAULTS[method] }
  const trainer = Object.entries(trainerSettingsSchema.shape).map(([name, schema]) =>
    describeField(name, schema, { appliesTo: 'trainer', peftField: null, default: trainerDefaults[name] }))
  const shape = (PEFT_METHODS[method].configSchema as unknown as z.ZodObject).shape
  const platformDefaults = PEFT_DEFAULTS[method] ?? {}
  const peft = BENCHMARK_PEFT_FIELDS[method].map((name) => {
    const schema = shape[name]
    if (!schema) throw new Error(`${method}: BENCHMARK_PEFT_FIELDS names ${name}, which its configSchema does not have`)
    const quantization = (QUANTIZATION_FIELDS as readonly string[]).includes(name)
    return describeField(name, schema, {
      appliesTo: 'peft',
      peftField: `${quantization ? 'BitsAndBytesConfig' : CONFIG_CLASS[method]}.${name}`,
      ...(Object.hasOwn(platformDefaults, name) && { default: platformDefaults[name] }),
    })
  })
  return [...trainer, ...peft]
}

/** The JSON Schema keywords this reads (z.toJSONSchema's output for the engine's field schemas). */
interface JsonSchema {
  type?: string
  enum?: string[]
  anyOf?: JsonSchema[]
  items?: JsonSchema
  default?: unknown
  description?: string
  minimum?: number
  exclusiveMinimum?: number
  maximum?: number
  exclusiveMaximum?: number
}

function describeField(
  name: string,
  schema: z.ZodType,
  options: { appliesTo: HyperparameterDescription['appliesTo']; peftField: string | null; default?: unknown },
): HyperparameterDescription {
  const json = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema
  const body = withoutNull(json)
  const description = json.description ?? ''
  const type = typeOf(name, body)
  const bounds = Object.fromEntries((['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum'] as const)
    // z.number().int() says maximum 2^53 - 1 (safe integers): no bound of the method's.
    .filter((bound) => body[bound] !== undefined && body[bound] !== Number.MAX_SAFE_INTEGER && body[bound] !== Number.MIN_SAFE_INTEGER)
    .map((bound) => [bound, body[bound]]))
  const libraryDefault = json.default ?? null
  const chosen = options.default === undefined ? libraryDefault : options.default
  return {
    name,
    appliesTo: options.appliesTo,
    peftField: options.peftField,
    type,
    ...(type === 'enum' && { values: body.enum }),
    ...bounds,
    default: chosen,
    ...(options.appliesTo === 'peft' && options.default !== undefined && JSON.stringify(chosen) !== JSON.stringify(libraryDefault) && { libraryDefault }),
    description,
  }
}

/** The schema without its `null` alternative (null: worked out from the model). */
function withoutNull(json: JsonSchema): JsonSchema {
  if (!json.anyOf) return json
  const alternatives = json.anyOf.filter((alternative) => alternative.type !== 'null')
  return alternatives.length === 1 ? withoutNull(alternatives[0]!) : { ...json, anyOf: alternatives }
}

function typeOf(name: string, json: JsonSchema): HyperparameterType {
  if (json.enum) return 'enum'
  if (json.type === 'integer' || json.type === 'number' || json.type === 'boolean') return json.type
  const alternatives = json.anyOf?.flatMap((alternative) => alternative.anyOf ?? [alternative]) ?? []
  if (alternatives.length === 2 && alternatives.some((alternative) => alternative.type === 'array' && alternative.items?.type === 'string')
    && alternatives.some((alternative) => alternative.type === 'string')) return 'modules'
  throw new Error(`hyperparameter ${name}: no plain description for its schema ${JSON.stringify(json)}`)
}
