import { ArtifactNotFoundError, type ArtifactStore, type Database } from '@bankbench/core'
import type { DatasetSplits } from '@bankbench/data'
import { EMBEDDED_SPLITS, embeddingKey, parseEmbeddings, serializeEmbeddings, type EmbeddingSet } from './artifact'
import { knownEncoderId, openEncoder, type EncoderSpec } from './encoders'

export interface EmbedResult {
  set: EmbeddingSet
  key: string
  sha256: string
  /** Whether the set was already in the store (then nothing was encoded). */
  reused: boolean
}

/**
 * A dataset's train, validation and test texts encoded by one encoder, stored once in
 * the artifact store under the dataset's content hash and the encoder's id; a second
 * call with the same dataset and encoder reads the stored set (its vectors checked
 * against the recorded sha256) instead of encoding again.
 */
export async function ensureEmbeddings(options: { store: ArtifactStore; db: Database; dataset: DatasetSplits; datasetHash: string; encoder: EncoderSpec; log?: (message: string) => void }): Promise<EmbedResult> {
  const { store, dataset, datasetHash } = options
  const log = options.log ?? (() => {})
  const known = await knownEncoderId(options.encoder, options.db)
  if (known) {
    const stored = await readStored(store, embeddingKey(datasetHash, known))
    if (stored) return stored
  }
  const started = performance.now()
  const encoder = await openEncoder(options.encoder, { store, db: options.db, trainTexts: dataset.train.map((example) => example.text) })
  try {
    const key = embeddingKey(datasetHash, encoder.id)
    const stored = known ? undefined : await readStored(store, key)
    if (stored) return stored
    const examples = EMBEDDED_SPLITS.flatMap((split) => dataset[split])
    log(`encoding ${examples.length} texts with ${encoder.model}`)
    const vectors = encoder.encode(examples.map((example) => example.text))
    const set: EmbeddingSet = {
      encoder: encoder.id, model: encoder.model, dimension: encoder.dimension, datasetHash,
      counts: { train: dataset.train.length, validation: dataset.validation.length, test: dataset.test.length },
      labels: examples.map((example) => example.label), vectors, encodeSeconds: (performance.now() - started) / 1000,
    }
    const info = await store.put(key, serializeEmbeddings(set), { contentType: 'application/octet-stream' })
    log(`stored ${key} (${(info.bytes / 2 ** 20).toFixed(1)} MiB) after ${set.encodeSeconds.toFixed(1)} s`)
    return { set, key, sha256: info.sha256, reused: false }
  } finally {
    encoder.dispose()
  }
}

async function readStored(store: ArtifactStore, key: string): Promise<EmbedResult | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await store.get(key)
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return undefined
    throw error
  }
  const { sha256: _vectorHash, ...set } = parseEmbeddings(bytes)
  const { createHash } = await import('node:crypto')
  return { set, key, sha256: createHash('sha256').update(bytes).digest('hex'), reused: true }
}
