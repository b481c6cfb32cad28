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
import { buildIndex, isRemoteStore, unavailable, type Metric } from '@bankbench/vector-stores'
import { ensureEmbeddings, recordsOf } from '@bankbench/vector-stores/embeddings'
import { encoderSpecOf } from './encoder'

export const INDEX_DEFAULTS = { metric: 'cosine' as Metric, index_settings: {} as Record<string, unknown>, encoder: 'base' as string }

export const runIndex: RunHandler<'index'> = async (context) => {
  const { run, dataset, store, db } = context
  const config = { ...INDEX_DEFAULTS, ...run.config.hyperparameters }
  if (!config.store) throw new Error('an index run names its store (config.store)')
  const why = unavailable(config.store)
  if (why && isRemoteStore(config.store)) {
    context.log(`skipped: ${config.store}: ${why}`)
    return { skipped: `${config.store}: ${why}` }
  }
  const encoder = await encoderSpecOf(db, run, config.encoder)
  const embedded = await ensureEmbeddings({ store, db, dataset, datasetHash: context.datasetHash, encoder, log: context.log })
  const { set } = embedded
  context.log(`${embedded.reused ? 'reusing' : 'made'} ${embedded.key}: ${set.model}`)
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
