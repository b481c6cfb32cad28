/**
 * The `index` job (method index, issue 13): one store's index (metric, settings) of one
 * encoder's training-split embeddings, what a hybrid's store holds. The embeddings are the
 * benchmark's embed job's stored set (the job waits for it), else made here. The index is built
 * (insert + optimize, timed), measured, and where the store owns its index's bytes in process
 * (FAISS, usearch) written to the artifact store under the embedding set's sha256, the store,
 * metric and settings, then loaded back once: the benchmark's hybrid jobs and deployed hybrids
 * load it instead of building it (packages/vector-stores' persisted-index.ts). Other stores'
 * indexes are rebuilt where they are needed; the run says why (`notPersisted`).
 */
import type { IndexRunSummary, RunHandler } from '@bankbench/core'
import { buildIndex, type Metric } from '@bankbench/vector-stores'
import { recordsOf } from '@bankbench/vector-stores/embeddings'
import { armEmbeddings } from './arm-embeddings'

export const INDEX_DEFAULTS = { metric: 'cosine' as Metric, index_settings: {} as Record<string, unknown>, encoder: 'base' as string }

export const runIndex: RunHandler<'index'> = async (context) => {
  const { run, store } = context
  const config = { ...INDEX_DEFAULTS, ...run.config.hyperparameters }
  if (!config.store) throw new Error('an index run names its store (config.store)')
  const embedded = await armEmbeddings(context, { store: config.store, encoder: config.encoder })
  if ('skipped' in embedded) return embedded
  const { set } = embedded
  const records = recordsOf(set, ['train'])
  context.signal.throwIfAborted()
  const build = await buildIndex(store, config.store, { name: `run_${run.id.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`, metric: config.metric, settings: config.index_settings }, records, { key: embedded.key, sha256: embedded.sha256 })
  await context.saveArtifact('index.json', JSON.stringify({ store: config.store, metric: config.metric, indexSettings: config.index_settings, embeddings: { key: embedded.key, sha256: embedded.sha256 }, ...build }, null, 2))
  context.log(`${config.store} index of ${build.count} vectors built in ${build.buildSeconds.toFixed(2)} s, ${build.indexBytes ?? 'unreported'} bytes; `
    + (build.persisted ? `persisted at ${build.persisted.key} (${build.persisted.bytes} bytes, loads in ${build.persisted.loadSeconds.toFixed(3)} s)` : `not persisted: ${build.notPersisted}`))
  await context.reportMetrics([{ name: 'build_seconds', value: build.buildSeconds, epoch: 1 }])
  return {
    store: config.store, metric: config.metric, indexSettings: config.index_settings, encoder: set.encoder, encoderModel: set.model,
    embeddingsKey: embedded.key, embeddingsSha256: embedded.sha256, dimension: set.dimension, vectors: build.count,
    insertSeconds: build.insertSeconds, optimizeSeconds: build.optimizeSeconds, buildSeconds: build.buildSeconds, indexBytes: build.indexBytes,
    persisted: build.persisted, ...(build.notPersisted ? { notPersisted: build.notPersisted } : {}),
    trainSeconds: build.buildSeconds, validationAccuracy: null,
    notApplicable: ['accuracy', 'macroF1', 'validationAccuracy', 'latencyP50Ms', 'latencyP95Ms', 'throughputPerSecond', 'trainableParameters', 'totalParameters', 'trainableRatio', 'adapterBytes', 'modelBytes'],
  } satisfies IndexRunSummary
}
