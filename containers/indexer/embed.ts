/**
 * The `embed` job (method embed, issue 13): the dataset's train, validation and test texts
 * encoded by one encoder and stored once in the artifact store (`ensureEmbeddings`:
 * `embeddings/<dataset hash>/<encoder id>.emb`, with dimension, model and sha256), which the
 * benchmark's index, vector-bench and hybrid jobs of that encoder then read (they wait for
 * this job: JOB_DEPENDENCIES). The run records the encoder's quality: kNN intent accuracy at
 * k = 1, 5, 10 of the test queries against the training vectors by exact search, and recall@10
 * of an approximate store (usearch's HNSW by default) against exact search, measured by the
 * vector benchmark's own code (`exactTopK`, `knnAccuracy`, `runVectorArm`).
 */
import type { EmbedRunSummary, RunHandler } from '@bankbench/core'
import { describeArm, exactTopK, knnAccuracy, runVectorArm, unavailable, type Metric, type StoreName, type VectorArm } from '@bankbench/vector-stores'
import { armEmbeddings } from './arm-embeddings'
import { armVectors } from './vector-bench'

/** What an embed run does when its config leaves a field out. */
export const EMBED_DEFAULTS = {
  /** `base`, `tfidf-svd`, or `run:<run id>` (a finished fine-tuning run's own encoder). */
  encoder: 'base' as string,
  metric: 'cosine' as Metric,
  queries: 1000,
  recall_store: 'usearch' as StoreName | 'none',
  recall_index_settings: {} as Record<string, unknown>,
}

export const runEmbed: RunHandler<'embed'> = async (context) => {
  const { run } = context
  const config = { ...EMBED_DEFAULTS, ...run.config.hyperparameters }
  const embedded = await armEmbeddings(context, {
    encoder: config.encoder,
    describe: ({ reused, key, set }) => `${reused ? 'already stored' : 'made'} ${key}: ${set.model}, dimension ${set.dimension}`,
  })
  const { set } = embedded
  context.signal.throwIfAborted()

  const { records, queries } = armVectors(set, config.queries)
  const exact = exactTopK(records, queries.map((query) => query.vector), config.metric, 10)
  const exactKnn = knnAccuracy(queries.map((query, i) => ({ label: query.label, matches: exact[i]! })), [1, 5, 10])
  context.log(`kNN intent accuracy (exact ${config.metric} search, ${queries.length} test queries over ${records.length} training vectors): k1 ${pct(exactKnn[1]!)}, k5 ${pct(exactKnn[5]!)}, k10 ${pct(exactKnn[10]!)}`)
  context.signal.throwIfAborted()

  let approximate: EmbedRunSummary['approximate'] = null
  let approximateSkipped: string | undefined
  if (config.recall_store === 'none') approximateSkipped = 'recall_store none'
  else {
    const why = unavailable(config.recall_store)
    if (why) approximateSkipped = `${config.recall_store}: ${why}`
    else {
      const arm: VectorArm = { store: config.recall_store, metric: config.metric, settings: config.recall_index_settings }
      const result = await runVectorArm(arm, { records, queries, exact, k: 10, concurrency: 1, warmup: 0 }, `run_${run.id.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`)
      approximate = {
        store: arm.store, indexSettings: arm.settings, recallAt10: result.recallAtK, buildSeconds: result.buildSeconds,
        knnAccuracy: { k1: result.knnAccuracy[1]!, k5: result.knnAccuracy[5]!, k10: result.knnAccuracy[10]! },
      }
      context.log(`${describeArm(arm)}: recall@10 ${result.recallAtK.toFixed(4)} against exact search`)
    }
  }
  if (approximateSkipped) context.log(`recall@10 not measured: ${approximateSkipped}`)

  await context.reportMetrics([
    { name: 'knn_accuracy_at_1', value: exactKnn[1]!, epoch: 1 },
    { name: 'knn_accuracy_at_10', value: exactKnn[10]!, epoch: 1 },
    ...(approximate ? [{ name: 'recall_at_10', value: approximate.recallAt10, epoch: 1 }] : []),
  ])
  return {
    encoder: set.encoder, encoderModel: set.model, embeddingsKey: embedded.key, embeddingsSha256: embedded.sha256, reused: embedded.reused,
    encodeSeconds: set.encodeSeconds, dimension: set.dimension, counts: { ...set.counts }, metric: config.metric,
    vectors: records.length, queries: queries.length,
    knnAccuracy: { k1: exactKnn[1]!, k5: exactKnn[5]!, k10: exactKnn[10]! },
    approximate, ...(approximateSkipped ? { approximateSkipped } : {}),
    trainSeconds: set.encodeSeconds, validationAccuracy: null,
    // An embedding set classifies nothing and serves no queries: its quality is the kNN accuracy and recall above.
    notApplicable: ['accuracy', 'macroF1', 'validationAccuracy', 'latencyP50Ms', 'latencyP95Ms', 'throughputPerSecond', 'trainableParameters', 'totalParameters', 'trainableRatio', 'adapterBytes', 'modelBytes'],
  } satisfies EmbedRunSummary
}

function pct(value: number): string {
  return `${(value * 100).toFixed(2)}%`
}
