import { z } from 'zod'
import type { JobKind } from '../jobs/job-queue'
import { nameString, strictObject } from '../validation'

/**
 * The catalog of what a benchmark arm may name, and the hyperparameters each
 * accepts. Names and fields follow Hugging Face PEFT; defaults are applied by the
 * code that runs the method (the engine, the baselines), not here: this is the
 * edge's validation, so unknown fields and wrong types are refused before anything
 * is stored.
 */
const probability = z.number().min(0).max(1)
const positiveInt = z.number().int().positive()

const trainerFields = {
  /** Overrides the protocol's epochs for this arm (e.g. a longer pretraining, a shorter sweep). */
  epochs: positiveInt.max(100),
  learning_rate: z.number().positive().max(1),
  lr_scheduler: z.enum(['linear', 'cosine', 'constant']),
  batch_size: positiveInt.max(1024),
  weight_decay: z.number().min(0).max(1),
  warmup_ratio: probability,
  max_length: positiveInt.max(4096),
}

/** PEFT's forms: 'all-linear', a list of names or dotted suffixes, or a regular expression the whole layer name must match. */
const targetModules = z.union([
  z.literal('all-linear'),
  z.array(nameString().min(1).max(200)).min(1).max(200),
  nameString().min(1).max(1000).refine(isRegularExpression, { message: 'target_modules as a string must be "all-linear" or a valid regular expression' }),
])

function isRegularExpression(pattern: string): boolean {
  try {
    new RegExp(pattern)
    return true
  } catch {
    return false
  }
}

/** How the frozen-feature baselines run the base model: truncation and texts per forward pass. */
const frozenFeatureFields = {
  max_length: positiveInt.max(4096),
  batch_size: positiveInt.max(1024),
}

/** PEFT's LoraConfig fields the engine implements (LoRA and QLoRA). */
const loraFields = {
  r: positiveInt.max(1024),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).lt(1),
  target_modules: targetModules,
  bias: z.enum(['none', 'all', 'lora_only']),
  use_rslora: z.boolean(),
}

export const METHOD_CATALOG = {
  random: { jobKind: 'baseline', config: strictObject({}) },
  majority: { jobKind: 'baseline', config: strictObject({}) },
  'tfidf-logreg': {
    jobKind: 'baseline',
    config: strictObject({ C: z.number().positive(), max_iterations: positiveInt.max(10_000) }).partial(),
  },
  /** The untuned base model: logistic regression on its frozen, mean-pooled last hidden states. */
  'frozen-probe': {
    jobKind: 'baseline',
    config: strictObject({ C: z.number().positive(), max_iterations: positiveInt.max(10_000), ...frozenFeatureFields }).partial(),
  },
  /** The untuned base model: nearest class centroid by cosine similarity of its frozen, mean-pooled last hidden states. */
  centroid: { jobKind: 'baseline', config: strictObject({ center: z.boolean(), ...frozenFeatureFields }).partial() },
  /** Few-shot prompting of an OpenAI-compatible chat endpoint (configured by the job's environment, not the request). */
  'llm-api': {
    jobKind: 'baseline',
    config: strictObject({
      model: nameString().min(1).max(200),
      few_shot_labels: z.number().int().min(0).max(10_000),
      examples_per_label: z.number().int().min(0).max(100),
      max_queries: positiveInt.max(100_000),
      concurrency: positiveInt.max(64),
      max_retries: z.number().int().min(0).max(10),
      temperature: z.number().min(0).max(2),
      max_tokens: positiveInt.max(4096),
      response_format: z.enum(['text', 'json_schema']),
      price_per_1k_input_tokens: z.number().min(0),
      price_per_1k_output_tokens: z.number().min(0),
    }).partial(),
  },
  full: { jobKind: 'train', config: strictObject(trainerFields).partial() },
  lora: { jobKind: 'train', config: strictObject({ ...trainerFields, ...loraFields }).partial() },
  /** LoRA over 4-bit frozen base weights; the quantization fields are transformers' BitsAndBytesConfig names. */
  qlora: {
    jobKind: 'train',
    config: strictObject({
      ...trainerFields,
      ...loraFields,
      bnb_4bit_quant_type: z.enum(['nf4', 'fp4']),
      bnb_4bit_use_double_quant: z.boolean(),
      bnb_4bit_compute_dtype: z.enum(['float32', 'float16', 'bfloat16']),
    }).partial(),
  },
  /** PEFT's IA3Config: learned vectors that rescale the target layers' outputs (or inputs, for feedforward_modules). */
  ia3: {
    jobKind: 'train',
    config: strictObject({
      ...trainerFields,
      target_modules: targetModules,
      feedforward_modules: z.array(nameString().min(1).max(200)).max(200),
      init_ia3_weights: z.boolean(),
    }).partial()
      .refine((config) => !Array.isArray(config.target_modules) || config.feedforward_modules === undefined
        || config.feedforward_modules.every((module) => (config.target_modules as string[]).includes(module)),
      { message: 'feedforward_modules should be a subset of target_modules', path: ['feedforward_modules'] }),
  },
  /** PEFT's PrefixTuningConfig; token_dim, num_layers and num_attention_heads come from the model. */
  'prefix-tuning': {
    jobKind: 'train',
    config: strictObject({
      ...trainerFields,
      num_virtual_tokens: positiveInt.max(512),
      prefix_projection: z.boolean(),
      encoder_hidden_size: positiveInt.max(16_384),
    }).partial(),
  },
  /** Bottleneck adapters (no PEFT type): AdapterHub's Houlsby and Pfeiffer placements; hidden_size is the bottleneck width. */
  adapter: {
    jobKind: 'train',
    config: strictObject({
      ...trainerFields,
      adapter_type: z.enum(['houlsby', 'pfeiffer']),
      hidden_size: positiveInt.max(16_384),
      reduction_factor: z.number().positive().max(1024),
      non_linearity: z.enum(['relu', 'gelu', 'swish', 'tanh']),
      dropout: z.number().min(0).lt(1),
    }).partial(),
  },
  /** Masked-language-model pretraining of a small BERT on the dataset's training text: the local backbone. */
  'mlm-pretrain': {
    jobKind: 'pretrain',
    config: strictObject({
      vocab_size: positiveInt.min(100).max(100_000),
      hidden_size: positiveInt.max(4096),
      num_hidden_layers: positiveInt.max(48),
      num_attention_heads: positiveInt.max(64),
      intermediate_size: positiveInt.max(16_384),
      epochs: trainerFields.epochs,
      learning_rate: trainerFields.learning_rate,
      batch_size: trainerFields.batch_size,
      warmup_ratio: probability,
      weight_decay: trainerFields.weight_decay,
      max_length: positiveInt.max(512),
      mask_probability: z.number().gt(0).lt(1),
      /** How classifiers fine-tuned from this backbone read a sentence vector (recorded in its config.json). */
      classifier_pooling: z.enum(['model', 'cls', 'mean']),
    }).partial()
      .refine((config) => config.hidden_size === undefined || config.num_attention_heads === undefined || config.hidden_size % config.num_attention_heads === 0,
        { message: 'hidden_size must be a multiple of num_attention_heads', path: ['num_attention_heads'] }),
  },
} as const satisfies Record<string, { jobKind: JobKind; config: z.ZodType }>

export type MethodName = keyof typeof METHOD_CATALOG
export const METHOD_NAMES = Object.keys(METHOD_CATALOG) as MethodName[]

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHOD_CATALOG, name)
}
