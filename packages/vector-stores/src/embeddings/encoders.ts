import { getRun, listRunArtifacts, ProblemError, type ArtifactStore, type Database } from '@bankbench/core'
import { DEFAULT_TFIDF_SVD_OPTIONS, TfidfSvdEncoder } from '@bankbench/baselines'
import { initBackend, SentenceEncoder, TRAINER_DEFAULTS } from '@bankbench/engine'
import { loadRunClassifier, resolveBaseModel } from '@bankbench/model-store'

/**
 * Which encoder turns texts into vectors: the base model mean-pooled (the shipped
 * default, or any `baseModel` source a benchmark accepts), TF-IDF reduced by
 * truncated SVD (fitted on the training split only), or a finished fine-tuning run's
 * own encoder (`run`: the model the run trained, its PEFT weights applied and LoRA
 * merged as serving loads it, mean-pooled; id `run:<run id>@<weights sha256, 16 hex>`).
 */
export type EncoderSpec =
  | { kind: 'base'; baseModel?: string }
  | { kind: 'tfidf-svd'; dimension?: number; seed?: number }
  | { kind: 'run'; runId: string }

/** The weights files a train job saves (the adapter, or the whole fine-tuned model): what a run encoder's id pins. */
const RUN_WEIGHTS = ['adapter/adapter_model.safetensors', 'model/model.safetensors']

export interface TextEncoder {
  /** Stable id: the same id means the same vectors (the base model pinned to its digest). */
  id: string
  model: string
  dimension: number
  /** Row-major, texts.length x dimension. */
  encode(texts: readonly string[]): Float32Array
  dispose(): void
}

export interface EncoderContext {
  store: ArtifactStore
  db: Database
  /** The training split's texts: what a fitted encoder learns from. */
  trainTexts: readonly string[]
}

/** The id an encoder will have, where it is known before opening it (fitting TF-IDF + SVD takes a while; a stored set makes it unnecessary). */
export function encoderIdBeforeOpening(spec: EncoderSpec): string | undefined {
  if (spec.kind === 'run') return undefined
  return spec.kind === 'tfidf-svd' ? `tfidf-svd:${spec.dimension ?? DEFAULT_TFIDF_SVD_OPTIONS.dimension}:seed${spec.seed ?? 0}` : undefined
}

/**
 * The id an encoder will have, where it can be known without loading a model: TF-IDF + SVD's
 * from its settings, a run encoder's from the run's recorded weights digest (one query).
 */
export async function knownEncoderId(spec: EncoderSpec, db: Database): Promise<string | undefined> {
  if (spec.kind !== 'run') return encoderIdBeforeOpening(spec)
  const artifacts = await listRunArtifacts(db, spec.runId)
  const weights = RUN_WEIGHTS.map((name) => artifacts.find((artifact) => artifact.name === name)).find((artifact) => artifact !== undefined)
  return weights ? runEncoderId(spec.runId, weights.sha256) : undefined
}

function runEncoderId(runId: string, weightsSha256: string): string {
  return `run:${runId}@${weightsSha256.slice(0, 16)}`
}

export async function openEncoder(spec: EncoderSpec, context: EncoderContext): Promise<TextEncoder> {
  if (spec.kind === 'run') {
    await initBackend()
    const run = await getRun(context.db, spec.runId)
    if (run.status !== 'succeeded') throw new ProblemError('invalid-state', `run ${run.id} is ${run.status}: an encoder is taken from a succeeded fine-tuning run`)
    const loaded = await loadRunClassifier(context.db, context.store, spec.runId)
    const encoder = SentenceEncoder.fromClassifier(loaded.classifier, { batchSize: 64 })
    return {
      id: runEncoderId(spec.runId, loaded.weightsSha256),
      model: `run ${spec.runId}'s fine-tuned encoder (${loaded.method}${loaded.merged ? ', LoRA merged' : ''}), mean-pooled last hidden states (${encoder.dimension})`,
      dimension: encoder.dimension,
      encode: (texts) => encoder.embed(texts).values,
      dispose: () => encoder.dispose(),
    }
  }
  if (spec.kind === 'tfidf-svd') {
    const seed = spec.seed ?? 0
    const encoder = TfidfSvdEncoder.fit(context.trainTexts, { ...DEFAULT_TFIDF_SVD_OPTIONS, dimension: spec.dimension ?? DEFAULT_TFIDF_SVD_OPTIONS.dimension, seed })
    return {
      id: encoderIdBeforeOpening(spec)!,
      model: `TF-IDF (word ${DEFAULT_TFIDF_SVD_OPTIONS.wordNgramRange.join('-')} grams, ${encoder.vocabularySize} terms) + truncated SVD to ${encoder.dimension}`,
      dimension: encoder.dimension,
      encode: (texts) => encoder.encode(texts),
      dispose: () => {},
    }
  }
  await initBackend()
  const base = await resolveBaseModel(context.store, spec.baseModel, context.db)
  const encoder = SentenceEncoder.fromCheckpoint(base.checkpoint, { maxLength: TRAINER_DEFAULTS.common.max_length, batchSize: 64 })
  return {
    id: `base:${base.nameOrPath}`,
    model: `${base.nameOrPath}, mean-pooled last hidden states (${encoder.dimension})`,
    dimension: encoder.dimension,
    encode: (texts) => encoder.embed(texts).values,
    dispose: () => encoder.dispose(),
  }
}
