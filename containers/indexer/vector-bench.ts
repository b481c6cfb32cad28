/**
 * The `vector-bench` job (method vector-bench): one vector-store arm on the dataset's
 * embeddings. The embeddings come from the artifact store when the benchmark's embed job
 * or an earlier run of the same encoder made them (`ensureEmbeddings`: computed once per
 * dataset and encoder, shared by every arm; the job waits for the embed job), else they
 * are encoded and stored. The store indexes the
 * training and validation queries (Banking77's official training split), answers the
 * test queries, and the run records build time, size, latency, throughput, recall@10
 * against exact search, kNN intent accuracy and cost (`runVectorArm`). A remote store
 * (Pinecone, Weaviate, Milvus) is the one its settings name (`PINECONE_API_KEY`,
 * `WEAVIATE_URL`, `MILVUS_URI`); without them the run is skipped, saying which is missing.
 */
import type { RunHandler, VectorBenchSummary } from '@bankbench/core'
import { describeArm, enlargeRecords, exactTopK, runVectorArm, type VectorArm } from '@bankbench/vector-stores'
import { recordsOf, row, splitOf, type EmbeddingSet } from '@bankbench/vector-stores/embeddings'
import { armEmbeddings } from './arm-embeddings'

/** What a vector-bench run does when its config leaves a field out: the seed's 1,000 test queries, 4 in flight for throughput. */
export const VECTOR_BENCH_DEFAULTS = {
  metric: 'cosine' as VectorArm['metric'],
  index_settings: {} as Record<string, unknown>,
  /** `base`, `tfidf-svd`, or `run:<run id>` (a finished fine-tuning run's own encoder). */
  encoder: 'base' as string,
  queries: 1000,
  concurrency: 4,
}

export const runVectorBench: RunHandler<'vector-bench'> = async (context) => {
  const { run } = context
  const config = { ...VECTOR_BENCH_DEFAULTS, ...run.config.hyperparameters }
  if (!config.store) throw new Error('a vector-bench run names its store (config.store)')
  // A remote store without its endpoint or key is skipped, saying which setting is missing (before any embedding work).
  const embedded = await armEmbeddings(context, { store: config.store, encoder: config.encoder })
  if ('skipped' in embedded) return embedded
  const { set } = embedded

  const { records, queries } = armVectors(set, config.queries)
  const indexed = config.scale && config.scale > records.length ? enlargeRecords(records, config.scale, run.config.seed) : records
  const arm: VectorArm = { store: config.store, metric: config.metric, settings: config.index_settings }
  context.log(`${describeArm(arm)}: indexing ${indexed.length} vectors of dimension ${set.dimension}, ${queries.length} queries`)
  context.signal.throwIfAborted()

  const exact = exactTopK(indexed, queries.map((query) => query.vector), arm.metric, 10)
  const result = await runVectorArm(arm, { records: indexed, queries, exact, k: 10, concurrency: config.concurrency, warmup: Math.min(50, queries.length) }, `run_${run.id.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`)
  await context.saveArtifact('vector-bench.json', JSON.stringify(result, null, 2))
  await context.reportMetrics([
    { name: 'recall_at_10', value: result.recallAtK, epoch: 1 },
    { name: 'knn_accuracy_at_10', value: result.knnAccuracy[10]!, epoch: 1 },
    { name: 'query_p50_ms', value: result.latency.p50Ms, epoch: 1 },
  ])
  context.log(`recall@10 ${result.recallAtK.toFixed(4)}, p50 ${result.latency.p50Ms.toFixed(3)} ms, build ${result.buildSeconds.toFixed(2)} s`)
  return {
    store: arm.store, metric: arm.metric, indexSettings: arm.settings, encoder: set.encoder, encoderModel: set.model, embeddingsKey: embedded.key, embeddingsReused: embedded.reused,
    dimension: set.dimension, vectors: result.count, queries: queries.length,
    insertSeconds: result.insertSeconds, optimizeSeconds: result.optimizeSeconds, buildSeconds: result.buildSeconds,
    indexBytes: result.indexBytes, memoryBytes: result.memoryBytes, latency: result.latency, concurrency: result.concurrency,
    recallAt10: result.recallAtK, knnAccuracy: { k1: result.knnAccuracy[1]!, k5: result.knnAccuracy[5]!, k10: result.knnAccuracy[10]! },
    costPerMillionQueriesUsd: result.cost.perMillionQueriesUsd, monthlyUsd: result.cost.monthlyUsd, pricing: result.cost.pricing, costFormula: result.cost.formula,
    // The figures the comparison reads by name: the store's query latency and throughput, its top-10 kNN intent accuracy.
    accuracy: result.knnAccuracy[10]!, validationAccuracy: null, latencyP50Ms: result.latency.p50Ms, latencyP95Ms: result.latency.p95Ms,
    throughputPerSecond: result.throughputQps, trainSeconds: result.buildSeconds, peakRssBytes: result.memoryBytes,
    notApplicable: ['macroF1', 'trainableParameters', 'totalParameters', 'trainableRatio', 'adapterBytes', 'modelBytes'],
  } satisfies VectorBenchSummary
}

/**
 * What a vector arm indexes, the training and validation splits (Banking77's official training
 * queries), and the first `queryCount` test rows it asks with their intents: the vector-bench
 * arms and the embed step's quality figures read the same vectors.
 */
export function armVectors(set: EmbeddingSet, queryCount: number) {
  const test = splitOf(set, 'test')
  const queries = Array.from({ length: Math.min(queryCount, test.count) }, (_, i) => ({ vector: row(test.vectors, set.dimension, i), label: test.labels[i]! }))
  return { records: recordsOf(set, ['train', 'validation']), queries }
}
