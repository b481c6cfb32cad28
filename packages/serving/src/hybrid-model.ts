/**
 * A hybrid run served (issue 13): the classifier of the run it was built on (an engine run
 * or a baseline, loaded as it would be deployed on its own), the encoder of the stored
 * embeddings (the base model pinned to its digest, or TF-IDF + SVD refitted with the same
 * seed on the dataset's training split), and an index of the training split's embeddings
 * in the store the run named: the persisted one (FAISS, usearch: written by the benchmark's
 * index job or the hybrid job, checked against the embedding set's sha256) loaded, else built
 * at load time. The classify endpoint queries that store for every message, so the latency
 * it reports includes the store.
 */
import { createHash } from 'node:crypto'
import { getDataset, getRun, loadDatasetSplits, ProblemError, type ArtifactStore, type Database } from '@bankbench/core'
// Types only at the top: the stores' clients and native addons load when a hybrid is, not with every API bundle.
import type { HybridClassifier, HybridRule, Metric, StoreName, VectorIndex } from '@bankbench/vector-stores'
import type { EncoderSpec, EmbeddingSet, TextEncoder } from '@bankbench/vector-stores/embeddings'
import type { IntentPredictor } from './predictor'

/** The file a hybrid job saves (containers/indexer/hybrid.ts). */
export const HYBRID_MODEL_FILE = 'hybrid.json'

export interface HybridModelFile {
  format: 'bankbench-hybrid/1'
  /** The run whose classifier the hybrid mixes, and its method. */
  classifierRunId: string
  classifierMethod: string
  /** The dataset whose training split the store holds (the TF-IDF encoder refits on it). */
  datasetId: string
  encoder: EncoderSpec
  /** The stored embedding set (its key and the sha256 of its bytes, checked on load). */
  embeddings: { key: string; sha256: string; encoder: string; dimension: number }
  store: StoreName
  metric: Metric
  indexSettings: Record<string, unknown>
  rule: HybridRule
  labels: string[]
}

/** What a hybrid needs besides its classifier: the encoder and the store's index of the training split. */
export interface HybridStoreParts {
  encoder: TextEncoder
  index: VectorIndex
  set: EmbeddingSet
  vectors: number
  /** Seconds to have the index ready: building it, or loading the persisted one. */
  buildSeconds: number
  /** The persisted index's artifact key when it was loaded instead of built. */
  loadedFrom?: string
  /** Where the index built here was persisted (`persist`), or why it could not be. */
  savedTo?: string
  notSaved?: string
  close(): Promise<void>
}

/**
 * Opens the encoder and the store's index of the training split's stored embeddings (ids
 * `train/<row>`, intents as labels): the persisted index for this store, metric, settings and
 * embedding set when the artifact store has one, else built here (and, with `persist`, written
 * for the next load: the hybrid job does). The encoder must be the one the set was made with:
 * its id is checked against the set's.
 */
export async function openHybridStore(db: Database, store: ArtifactStore, model: Pick<HybridModelFile, 'datasetId' | 'encoder' | 'embeddings' | 'store' | 'metric' | 'indexSettings'>, indexName: string, options: { persist?: boolean } = {}): Promise<HybridStoreParts> {
  const { openEncoder, parseEmbeddings, recordsOf } = await importStores(() => import('@bankbench/vector-stores/embeddings'))
  const { openLabelledIndex } = await importStores(() => import('@bankbench/vector-stores'))
  const bytes = await store.get(model.embeddings.key)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (sha256 !== model.embeddings.sha256) throw new ProblemError('invalid-state', `the embeddings ${model.embeddings.key} changed since the hybrid run stored them (sha256 ${sha256}, recorded ${model.embeddings.sha256})`)
  const { sha256: _vectors, ...set } = parseEmbeddings(bytes)
  const trainTexts = model.encoder.kind === 'tfidf-svd' ? (await loadDatasetSplits(store, await getDataset(db, model.datasetId))).train.map((example) => example.text) : []
  const encoder = await openEncoder(model.encoder, { store, db, trainTexts })
  if (encoder.id !== set.encoder) {
    encoder.dispose()
    throw new ProblemError('invalid-state', `the hybrid's encoder opened as ${encoder.id}, but its stored embeddings are ${set.encoder}`)
  }
  const records = recordsOf(set, ['train'])
  try {
    const persistence = { artifacts: store, embeddings: { key: model.embeddings.key, sha256 }, save: options.persist ?? false }
    const { opened, index, ...opening } = await openLabelledIndex(model.store, { name: indexName, metric: model.metric, settings: model.indexSettings }, records, persistence)
    return { encoder, index, set, vectors: records.length, ...opening, close: () => opened.store.close() }
  } catch (error) {
    encoder.dispose()
    throw error
  }
}

/** The vector stores' package, or a 409 saying why this process cannot serve a hybrid (a Lambda bundle does not package it: scripts/build-lambdas.ts). */
async function importStores<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    throw new ProblemError('invalid-state', `hybrid runs cannot be served by this process: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** A hybrid from its parts, as an IntentPredictor (what deploy, calibration and classify call). */
export async function hybridPredictor(classifier: IntentPredictor, parts: HybridStoreParts, rule: HybridRule): Promise<{ hybrid: HybridClassifier; predictor: IntentPredictor }> {
  const { HybridClassifier } = await importStores(() => import('@bankbench/vector-stores'))
  const hybrid = new HybridClassifier({ classifier, encode: (texts) => parts.encoder.encode(texts), index: parts.index, dimension: parts.set.dimension, rule })
  return {
    hybrid,
    predictor: {
      runtime: classifier.runtime,
      labels: classifier.labels,
      predict: (texts, options) => hybrid.predict(texts, { scores: options?.scores ?? false }),
      dispose: async () => {
        await classifier.dispose()
        parts.encoder.dispose()
        await parts.close()
      },
    },
  }
}

/**
 * Loads a succeeded hybrid run from its hybrid.json: the classifier run's model (through
 * `loadClassifier`, serving's loadServedModel), then the encoder and the store.
 */
export async function loadHybridModel(db: Database, store: ArtifactStore, runId: string, bytes: Uint8Array, loadClassifier: (runId: string) => Promise<{ predictor: IntentPredictor; backend: string; merged: boolean; engineReason?: string }>) {
  const model = JSON.parse(new TextDecoder().decode(bytes)) as HybridModelFile
  if (model.format !== 'bankbench-hybrid/1') throw new ProblemError('invalid-state', `run ${runId}'s ${HYBRID_MODEL_FILE} is not a hybrid model this version reads (format ${String(model.format)})`)
  const classifierRun = await getRun(db, model.classifierRunId)
  const classifier = await loadClassifier(classifierRun.id)
  let parts: HybridStoreParts
  try {
    parts = await openHybridStore(db, store, model, `serve_${runId.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${Date.now().toString(36)}`)
  } catch (error) {
    await classifier.predictor.dispose()
    throw error
  }
  const { predictor } = await hybridPredictor(classifier.predictor, parts, model.rule)
  return {
    predictor,
    merged: classifier.merged,
    backend: `${classifier.backend} + ${model.store} store (${model.metric}, k ${model.rule.k}, weight ${model.rule.weight}) on ${parts.set.encoder}${parts.loadedFrom ? `, index loaded from ${parts.loadedFrom}` : ''}`,
    ...(classifier.engineReason && { engineReason: classifier.engineReason }),
  }
}
