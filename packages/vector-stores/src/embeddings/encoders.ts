import type { ArtifactStore, Database } from '@bankbench/core'
import { DEFAULT_TFIDF_SVD_OPTIONS, TfidfSvdEncoder } from '@bankbench/baselines'
import { initBackend, SentenceEncoder, TRAINER_DEFAULTS } from '@bankbench/engine'
import { resolveBaseModel } from '@bankbench/model-store'

/**
 * Which encoder turns texts into vectors: the base model mean-pooled (the shipped
 * default, or any `baseModel` source a benchmark accepts), or TF-IDF reduced by
 * truncated SVD (fitted on the training split only).
 */
export type EncoderSpec =
  | { kind: 'base'; baseModel?: string }
  | { kind: 'tfidf-svd'; dimension?: number; seed?: number }

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
  return spec.kind === 'tfidf-svd' ? `tfidf-svd:${spec.dimension ?? DEFAULT_TFIDF_SVD_OPTIONS.dimension}:seed${spec.seed ?? 0}` : undefined
}

export async function openEncoder(spec: EncoderSpec, context: EncoderContext): Promise<TextEncoder> {
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
