/**
 * A small Llama causal LM trained here from scratch, then fine-tuned with one PEFT
 * method on prompt → target pairs (e.g. a Banking77 message → its intent name in
 * words). No pretrained decoder can be downloaded, so, as the local encoder backbone
 * does, the job learns a WordPiece vocabulary on the training text, pretrains the
 * decoder as a language model on the training prompts and, separately, the distinct
 * target texts (never a prompt paired with its target: full training, every token
 * predicted; the decoder learns the words of intent names as a pretrained LM would
 * know them), and only then adapts it to the task with the
 * arm's method (LoRA trains A and B of the chosen projections; full trains everything).
 *
 * Sequences are `[CLS] prompt [SEP] target [SEP]`: [CLS] is the BOS, the first [SEP]
 * ends the prompt and the second is the EOS that stops generation. Fine-tuning's loss
 * covers the target and its EOS only.
 */
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import type { LlamaConfig } from '../models/llama-config'
import { applyPeft, peftMethod } from '../peft'
import type { AppliedPeft, PeftMethodName } from '../peft'
import { Tokenizer, trainWordPiece } from '../tokenizer'
import type { EvaluationMetrics } from '../train/checkpoint'
import { deriveSeed } from '../train/seeds'
import { train } from '../train/trainer'
import type { StepMetrics, TrainOptions, TrainResult, TrainingTask } from '../train/trainer'
import { IGNORE_INDEX, causalForward, causalLmLoss, createCausalLM, tokenLogLikelihoods } from './causal-lm'
import type { CausalLM } from './causal-lm'
import { beamSearch } from './beam-search'
import { greedyGenerate } from './generate'

export interface TextPair {
  prompt: string
  target: string
}

/** The decoder's shape and its from-scratch pretraining (HF config names where they exist). */
export const generatorSettingsSchema = z.strictObject({
  vocab_size: z.number().int().min(64).max(8192).default(1000),
  hidden_size: z.number().int().min(8).max(512).default(64),
  num_hidden_layers: z.number().int().min(1).max(8).default(2),
  num_attention_heads: z.number().int().min(1).max(16).default(4),
  num_key_value_heads: z.number().int().min(1).max(16).default(2),
  intermediate_size: z.number().int().min(8).max(2048).default(128),
  tie_word_embeddings: z.boolean().default(true),
  /** Longest sequence, prompt and target with their special tokens. */
  max_length: z.number().int().min(8).max(256).default(48),
  max_new_tokens: z.number().int().min(1).max(64).default(12),
  /** HF's num_beams: 1 decodes greedily, more runs beam search (length_penalty 1). */
  num_beams: z.number().int().min(1).max(8).default(1),
  pretrain_epochs: z.number().int().min(0).max(50).default(3),
  pretrain_learning_rate: z.number().positive().max(1).default(3e-3),
}).refine((settings) => settings.hidden_size % settings.num_attention_heads === 0 && settings.num_attention_heads % settings.num_key_value_heads === 0
  && (settings.hidden_size / settings.num_attention_heads) % 2 === 0,
{ message: 'hidden_size must split into an even head size per attention head, and query heads into key/value groups', path: ['num_attention_heads'] })
export type GeneratorSettings = z.output<typeof generatorSettingsSchema>

export interface FineTuneGeneratorOptions extends Omit<TrainOptions, 'evalEvery' | 'metricForBest'> {
  train: readonly TextPair[]
  /** Picks the epoch with the best `metricForBest`. */
  validation?: readonly TextPair[]
  /**
   * How validation picks the epoch kept (default exactMatch, for short targets such as intent names); `loss` for long
   * targets such as replies, whose exact match may stay 0 for every epoch and would keep the first.
   */
  metricForBest?: 'exactMatch' | 'loss'
  method: PeftMethodName
  peftConfig?: Record<string, unknown>
  settings?: Partial<GeneratorSettings>
  onPretrainStep?: (metrics: StepMetrics) => void | Promise<void>
  log?: (message: string) => void
}

export interface FineTunedGenerator {
  generator: TextGenerator
  applied: AppliedPeft
  pretrainResult: TrainResult | null
  result: TrainResult
  /** The decoder's own parameters, before the PEFT method added any. */
  decoderParameters: number
  parameterCounts: { trainable: number; total: number; ratio: number }
}

export interface GeneratedTexts {
  texts: string[]
  /** Tokens generated per prompt, EOS included. */
  tokenCounts: number[]
  /** Per batch: wall ms of the whole generate call and of its prompt pass; every decoding step after the prompt pass. */
  batchMs: number[]
  prefillMs: number[]
  stepMs: number[]
}

/** A causal LM with its tokenizer: prompts in, generated text out. */
export class TextGenerator {
  constructor(readonly model: CausalLM, readonly tokenizer: Tokenizer, readonly maxLength: number, readonly maxNewTokens: number, readonly numBeams = 1) {}

  private special(token: string): number {
    const id = this.tokenizer.tokenToId(token)
    if (id === undefined) throw new Error(`the tokenizer has no ${token}`)
    return id
  }

  get bos(): number { return this.special('[CLS]') }
  get eos(): number { return this.special('[SEP]') }

  /** [CLS] prompt [SEP], the prompt cut so that the longest target still fits. */
  encodePrompt(prompt: string): number[] {
    const pieces = this.tokenizer.encode(prompt, { addSpecialTokens: false }).slice(0, Math.max(1, this.maxLength - this.maxNewTokens - 2))
    return [this.bos, ...pieces, this.eos]
  }

  /** The target's pieces and the EOS, within the sequence limit. */
  encodeTarget(target: string, promptLength: number): number[] {
    const room = Math.max(1, this.maxLength - promptLength - 1)
    return [...this.tokenizer.encode(target, { addSpecialTokens: false }).slice(0, room), this.eos]
  }

  /** Greedy decoding (or beam search with numBeams > 1) with the key/value cache, `batchSize` prompts at a time. */
  generate(prompts: readonly string[], { batchSize = 64 }: { batchSize?: number } = {}): GeneratedTexts {
    const out: GeneratedTexts = { texts: [], tokenCounts: [], batchMs: [], prefillMs: [], stepMs: [] }
    for (let start = 0; start < prompts.length; start += batchSize) {
      const encoded = prompts.slice(start, start + batchSize).map((prompt) => this.encodePrompt(prompt))
      const options = { maxNewTokens: this.maxNewTokens, eosTokenId: this.eos, padTokenId: this.tokenizer.padTokenId }
      const result = this.numBeams > 1 ? beamSearch(this.model, encoded, { ...options, numBeams: this.numBeams }) : greedyGenerate(this.model, encoded, options)
      for (const tokens of result.tokens) {
        out.texts.push(this.tokenizer.decode(tokens.filter((token) => token !== this.eos)))
        out.tokenCounts.push(tokens.length)
      }
      out.batchMs.push(result.totalMs)
      out.prefillMs.push(result.prefillMs)
      out.stepMs.push(...result.stepMs)
    }
    return out
  }

  /** Per pair, the log-likelihood of each target token (EOS included) given the prompt: perplexity's input. */
  targetLogLikelihoods(pairs: readonly TextPair[], { batchSize = 64 }: { batchSize?: number } = {}): number[][] {
    const out: number[][] = []
    for (let start = 0; start < pairs.length; start += batchSize) {
      const batch = pairs.slice(start, start + batchSize).map((pair) => this.encodePair(pair))
      const { ids, mask, labels } = padBatch(batch, this.tokenizer.padTokenId)
      const inputIds = tf.tensor2d(ids, undefined, 'int32')
      const attentionMask = tf.tensor2d(mask, undefined, 'int32')
      out.push(...tokenLogLikelihoods(this.model, inputIds, attentionMask, labels))
      tf.dispose([inputIds, attentionMask])
    }
    return out
  }

  encodePair(pair: TextPair): EncodedSequence {
    const prompt = this.encodePrompt(pair.prompt)
    const target = this.encodeTarget(pair.target, prompt.length)
    return { ids: [...prompt, ...target], labels: [...prompt.map(() => IGNORE_INDEX), ...target] }
  }

  dispose(): void {
    this.model.dispose()
  }
}

interface EncodedSequence {
  ids: number[]
  /** IGNORE_INDEX where no loss is taken. */
  labels: number[]
}

/** Right padding (training and scoring need no generation position). */
function padBatch(batch: readonly EncodedSequence[], padId: number): { ids: number[][]; mask: number[][]; labels: number[][] } {
  const width = Math.max(2, ...batch.map((example) => example.ids.length))
  const pad = (row: readonly number[], value: number) => [...row, ...Array<number>(width - row.length).fill(value)]
  return {
    ids: batch.map((example) => pad(example.ids, padId)),
    mask: batch.map((example) => pad(example.ids.map(() => 1), 0)),
    labels: batch.map((example) => pad(example.labels, IGNORE_INDEX)),
  }
}

function batchLoss(model: CausalLM, batch: readonly EncodedSequence[], padId: number, training: boolean, seed?: number): tf.Scalar {
  return tf.tidy(() => {
    const { ids, mask, labels } = padBatch(batch, padId)
    const { logits } = causalForward(model, tf.tensor2d(ids, undefined, 'int32'), tf.tensor2d(mask, undefined, 'int32'), { training, seed })
    return causalLmLoss(logits, tf.tensor2d(labels, undefined, 'int32'))
  })
}

/** A new decoder config for a vocabulary of `vocabSize` tokens. */
export function generatorConfig(settings: GeneratorSettings, vocabSize: number, padTokenId: number, bos: number, eos: number): LlamaConfig {
  return {
    modelType: 'llama',
    vocabSize,
    hiddenSize: settings.hidden_size,
    intermediateSize: settings.intermediate_size,
    numHiddenLayers: settings.num_hidden_layers,
    numAttentionHeads: settings.num_attention_heads,
    numKeyValueHeads: settings.num_key_value_heads,
    headDim: settings.hidden_size / settings.num_attention_heads,
    hiddenAct: 'silu',
    maxPositionEmbeddings: settings.max_length,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    ropeScaling: null,
    attentionDropout: 0,
    initializerRange: 0.02,
    padTokenId,
    bosTokenId: bos,
    eosTokenId: eos,
    tieWordEmbeddings: settings.tie_word_embeddings,
    id2label: ['LABEL_0'],
  }
}

const PRETRAIN_STREAM = 11
const FINE_TUNE_STREAM = 12

export async function fineTuneGenerator(options: FineTuneGeneratorOptions): Promise<FineTunedGenerator> {
  const seed = options.seed ?? 42
  const settings = generatorSettingsSchema.parse(options.settings ?? {})
  // The vocabulary covers the prompts and the targets (intent names): both are training data.
  const tokenizer = Tokenizer.fromJSON(trainWordPiece(options.train.flatMap((pair) => [pair.prompt, pair.target]), { vocabSize: settings.vocab_size }))
  const id = (token: string) => tokenizer.tokenToId(token)!
  const config = generatorConfig(settings, tokenizer.vocabSize, tokenizer.padTokenId, id('[CLS]'), id('[SEP]'))
  const model = createCausalLM(config, undefined, { seed })
  try {
    const generator = new TextGenerator(model, tokenizer, settings.max_length, settings.max_new_tokens, settings.num_beams)
    const padId = tokenizer.padTokenId
    const { log } = options
    const trainerOptions = { batchSize: options.batchSize, maxGradNorm: options.maxGradNorm, seed, signal: options.signal, scheduler: options.scheduler }

    // 1. Language modelling on the training prompts alone, every parameter trained.
    let pretrainResult: TrainResult | null = null
    if (settings.pretrain_epochs > 0) {
      log?.(`pretraining a ${config.numHiddenLayers}-layer, hidden-${config.hiddenSize} Llama (vocabulary ${tokenizer.vocabSize}, ${model.countParameters()} parameters) ` +
        `as a language model on ${options.train.length} prompts and the distinct targets, unpaired, for ${settings.pretrain_epochs} epochs`)
      // Each prompt, and each distinct target once, as its own text: the decoder learns the words of both
      // (as a pretrained LM knows the words of intent names) but never sees a prompt paired with its target.
      const corpus = [...options.train.map((pair) => pair.prompt), ...new Set(options.train.map((pair) => pair.target))]
      const texts = corpus.map((text) => {
        const ids = generator.encodePrompt(text)
        return { ids, labels: ids }
      })
      const pretrainTask: TrainingTask<EncodedSequence> = {
        variables: new Map(model.parameters),
        trainExamples: texts,
        exampleLength: (example) => example.ids.length,
        loss: (batch, { training, step }) => batchLoss(model, batch, padId, training, deriveSeed(seed, step, PRETRAIN_STREAM)),
      }
      pretrainResult = await train(pretrainTask, {
        ...trainerOptions, epochs: settings.pretrain_epochs, learningRate: settings.pretrain_learning_rate, warmupRatio: 0.05, weightDecay: 0.01, evalEvery: 'never',
        onStep: options.onPretrainStep,
      })
      if (pretrainResult.status === 'cancelled') options.signal?.throwIfAborted()
    }

    // 2. The arm's method on prompt → target, the loss on the target only.
    const decoderParameters = model.countParameters()
    const parsed = peftMethod(options.method).configSchema.parse(options.peftConfig ?? {}) as Record<string, unknown>
    const applied = applyPeft(model, options.method, parsed, { seed, tokenizer })
    const trainExamples = options.train.map((pair) => generator.encodePair(pair))
    const validation = options.validation ?? []
    const task: TrainingTask<EncodedSequence> = {
      variables: new Map([...model.parameters].filter(([, variable]) => variable.trainable)),
      trainExamples,
      exampleLength: (example) => example.ids.length,
      loss: (batch, { training, step }) => batchLoss(model, batch, padId, training, deriveSeed(seed, step, FINE_TUNE_STREAM)),
      evaluate: validation.length > 0 ? async () => evaluateGenerator(generator, validation) : undefined,
    }
    const result = await train(task, { ...options, seed, metricForBest: task.evaluate ? options.metricForBest ?? 'exactMatch' : undefined })
    const { trainable, total } = applied.parameterCounts
    return { generator, applied, pretrainResult, result, decoderParameters, parameterCounts: { trainable, total, ratio: trainable / total } }
  } catch (error) {
    model.dispose()
    throw error
  }
}

/** Normalised for exact match: lower case, single spaces (WordPiece decoding lower-cases and spaces words). */
export function normalizeGenerated(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim()
}

async function evaluateGenerator(generator: TextGenerator, pairs: readonly TextPair[]): Promise<EvaluationMetrics> {
  const { texts } = generator.generate(pairs.map((pair) => pair.prompt))
  const matches = texts.filter((text, i) => normalizeGenerated(text) === normalizeGenerated(pairs[i]!.target)).length
  const logLikelihoods = generator.targetLogLikelihoods(pairs).flat()
  const loss = logLikelihoods.length === 0 ? 0 : -logLikelihoods.reduce((sum, value) => sum + value, 0) / logLikelihoods.length
  return { exactMatch: matches / pairs.length, accuracy: matches / pairs.length, loss }
}
