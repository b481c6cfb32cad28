/**
 * The local backbone: a WordPiece vocabulary learned on training text, then a small
 * BERT pretrained with masked-language modelling on the same text. What the trainer's
 * `pretrain` job (method `mlm-pretrain`) publishes and bench/train-banking77.ts makes.
 * The settings carry the API's names (snake_case), validated here.
 */
import { z } from 'zod'
import { parseEncoderConfig } from '../models/config'
import type { Pooling } from '../models/config'
import type { Checkpoint } from '../io/checkpoint'
import { Tokenizer, trainWordPiece } from '../tokenizer'
import { pretrain } from './mlm'
import type { PretrainOptions } from './mlm'

const POOLINGS = ['model', 'cls', 'mean'] as const satisfies readonly Pooling[]

/**
 * Defaults sized so that three epochs over Banking77's 9,503 training texts take about
 * five minutes on the wasm backend of a 2-core machine (containers/trainer/README.md). A
 * larger learning rate (5e-3, with mask probability 0.25) raised the masked-token accuracy
 * a little but gave a backbone that fine-tuned far worse, so 1e-3 stays.
 * `classifier_pooling` goes into config.json: MLM never trains the first token or a pooler,
 * and classifiers read the mean of the token vectors instead (81% against 41% after three epochs).
 */
export const backboneSettingsSchema = z.strictObject({
  vocab_size: z.number().int().min(100).max(100_000).default(4000).describe(
    'WordPiece vocabulary size asked for; the training text may yield fewer pieces.'),
  hidden_size: z.number().int().positive().max(4096).default(64).describe('Width of the hidden states.'),
  num_hidden_layers: z.number().int().positive().max(48).default(2).describe('Transformer layers.'),
  num_attention_heads: z.number().int().positive().max(64).default(2).describe('Attention heads per layer; must divide hidden_size.'),
  intermediate_size: z.number().int().positive().max(16_384).default(256).describe('Width of the feed-forward layer.'),
  learning_rate: z.number().positive().max(1).default(1e-3).describe('Peak learning rate of AdamW.'),
  batch_size: z.number().int().positive().max(1024).default(32).describe('Texts per step.'),
  warmup_ratio: z.number().min(0).max(1).default(0.06).describe('Share of the steps over which the learning rate warms up from 0 (then linear decay).'),
  weight_decay: z.number().min(0).max(1).default(0.01).describe('AdamW weight decay (not on biases and norms).'),
  max_length: z.number().int().positive().max(512).default(64).describe(
    'Longest text in tokens, special tokens included; also the position embeddings (fine-tuning truncates there too).'),
  mask_probability: z.number().gt(0).lt(1).default(0.15).describe('Share of the tokens masked for the MLM objective (BERT: 0.15).'),
  contrastive_weight: z.number().min(0).max(100).default(0).describe(
    'Weight of a SimCSE-style sentence objective beside MLM (0: MLM alone): a text\'s masked and plain views, mean-pooled, are pulled together against the batch.'),
  contrastive_temperature: z.number().positive().max(10).default(0.05).describe('Softmax temperature of the contrastive objective over cosine similarities (SimCSE: 0.05).'),
  classifier_pooling: z.enum(POOLINGS).default('mean').describe(
    'How classifiers fine-tuned from this backbone read a sentence vector, recorded in its config.json: model (pooler or first token), cls or mean.'),
}).refine((settings) => settings.hidden_size % settings.num_attention_heads === 0,
  { message: 'hidden_size must be a multiple of num_attention_heads', path: ['num_attention_heads'] })

export type BackboneSettings = z.output<typeof backboneSettingsSchema>

export const PRETRAIN_DEFAULTS: BackboneSettings = backboneSettingsSchema.parse({})

export interface BackboneOptions extends Pick<PretrainOptions, 'signal' | 'onStep' | 'onEpoch' | 'onEpochCheckpoint' | 'saveCheckpoint' | 'loadCheckpoint' | 'checkpointEverySteps'> {
  epochs: number
  seed: number
  log?: (message: string) => void
  /**
   * Continue pretraining this BERT (domain adaptation) with its own vocabulary and shape,
   * instead of learning a vocabulary and starting from random weights; ignored when the
   * settings give a shape (ARCHITECTURE_SETTINGS), which asks for a new backbone.
   */
  from?: Checkpoint
}

/** The settings that shape a new backbone: they cannot apply when pretraining continues from an existing one. */
export const ARCHITECTURE_SETTINGS = ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size'] as const

/**
 * MLM pretraining: of a new BERT (a vocabulary learned on the training text, random weights)
 * or, with `options.from` and no shape in the settings, continued from that checkpoint.
 * The pretrain job, scripts/build-base-model.ts and bench/train-banking77.ts all use it.
 */
export async function pretrainBackbone(trainTexts: readonly string[], validationTexts: readonly string[], hyperparameters: Partial<BackboneSettings>, options: BackboneOptions) {
  const settings = backboneSettingsSchema.parse(hyperparameters)
  const start = options.from && !shapesNewBackbone(hyperparameters)
    ? continuedModel(options.from, hyperparameters)
    : newModel(trainTexts, settings)
  const { tokenizer, modelConfig } = start
  // Positions beyond the model's would never have been trained.
  const maxLength = Math.min(settings.max_length, modelConfig.maxPositionEmbeddings)
  options.log?.(`${start.initialWeights ? 'continuing the pretraining of' : 'pretraining'} a ${modelConfig.numHiddenLayers}-layer, ` +
    `hidden-${modelConfig.hiddenSize} BERT (vocabulary ${tokenizer.vocabSize}) on ${trainTexts.length} texts for ${options.epochs} epochs`)
  const { log: _log, from: _from, ...trainerOptions } = options
  const result = await pretrain(trainTexts, {
    ...trainerOptions,
    tokenizer,
    modelConfig,
    ...(start.initialWeights && { initialWeights: start.initialWeights }),
    batchSize: settings.batch_size,
    learningRate: settings.learning_rate,
    warmupRatio: settings.warmup_ratio,
    weightDecay: settings.weight_decay,
    maxLength,
    maskProbability: settings.mask_probability,
    contrastiveWeight: settings.contrastive_weight,
    contrastiveTemperature: settings.contrastive_temperature,
    validationTexts,
  })
  return { ...result, vocabSize: tokenizer.vocabSize }
}

/** Whether the settings give a shape: then a new backbone is pretrained from scratch. */
export function shapesNewBackbone(hyperparameters: Partial<BackboneSettings>): boolean {
  return ARCHITECTURE_SETTINGS.some((name) => hyperparameters[name] !== undefined)
}

function newModel(trainTexts: readonly string[], settings: BackboneSettings) {
  const tokenizer = Tokenizer.fromJSON(trainWordPiece(trainTexts, { vocabSize: settings.vocab_size }))
  const modelConfig = parseEncoderConfig({
    model_type: 'bert',
    vocab_size: tokenizer.vocabSize,
    hidden_size: settings.hidden_size,
    num_hidden_layers: settings.num_hidden_layers,
    num_attention_heads: settings.num_attention_heads,
    intermediate_size: settings.intermediate_size,
    // Positions beyond max_length would never be trained: fine-tuning truncates there too.
    max_position_embeddings: settings.max_length,
    // Recorded in config.json, so every classifier fine-tuned from this backbone pools the same way.
    classifier_pooling: settings.classifier_pooling,
  })
  return { tokenizer, modelConfig, initialWeights: undefined }
}

/** The checkpoint's own vocabulary, shape and weights; only its pooling may be set anew. */
function continuedModel(from: Checkpoint, hyperparameters: Partial<BackboneSettings>) {
  if (!from.tokenizer) throw new Error('pretrain: the base model has no tokenizer.json to continue with')
  const tokenizer = Tokenizer.fromJSON(from.tokenizer)
  const modelConfig = parseEncoderConfig({ ...from.config, classifier_pooling: hyperparameters.classifier_pooling ?? from.config.classifier_pooling })
  return { tokenizer, modelConfig, initialWeights: from.weights }
}
