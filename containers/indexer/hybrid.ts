/**
 * The `hybrid` job (method hybrid, issue 13): a classifier run's class probabilities mixed
 * with the votes of the k nearest labelled training examples in a vector store,
 *   p(c) = (1 - weight) * p_model(c) + weight * votes_k(c).
 * The classifier is the run the arm names (`classifier_run`), or the benchmark's succeeded
 * run of the arm's `classifier` method (the same seed's first, then the best validation
 * accuracy; the job waits for the benchmark's train and baseline jobs). The store indexes
 * the training split's embeddings (`ensureEmbeddings`: the base model's by default, shared
 * with the vector-bench arms). Weight and k are chosen on the validation split (those the
 * arm fixed are kept); test accuracy, macro-F1, per-label scores, latency at batch 1 and
 * throughput are measured through the same object serving answers with (the classifier,
 * the encoder and the store together). The run saves hybrid.json, which serving loads.
 */
import { getBenchmark, getRun, isServable, listRunsOfBenchmark, type Database, type HybridRunSummary, type RunHandler, type RunOf, type RunRow } from '@bankbench/core'
import { classificationReport, latencySummary, PeakMemoryTracker } from '@bankbench/metrics'
import { HYBRID_MODEL_FILE, hybridPredictor, loadServedModel, openHybridStore, type HybridModelFile } from '@bankbench/serving'
import { chooseHybridRule, HYBRID_GRID, hybridGrid, hybridPredict, isRemoteStore, unavailable, type Metric } from '@bankbench/vector-stores'
import { ensureEmbeddings, type EncoderSpec } from '@bankbench/vector-stores/embeddings'
import { encoderSpecOf } from './encoder'
import { bankingRubricOfPredictor } from '../trainer/rubric'

/** `encoder`: `base`, `tfidf-svd`, `classifier` (the classifier run's own fine-tuned encoder) or `run:<run id>` (encoder.ts). */
export const HYBRID_DEFAULTS = { metric: 'cosine' as Metric, index_settings: {} as Record<string, unknown>, encoder: 'base' as string }

/** Test messages timed one at a time, and classified in batches for throughput (at most). */
const LATENCY_SAMPLES = 200
const THROUGHPUT_MESSAGES = 512
const THROUGHPUT_BATCH = 32

export const runHybrid: RunHandler<'hybrid'> = async (context) => {
  const { run, dataset, store, db } = context
  const config = { ...HYBRID_DEFAULTS, ...run.config.hyperparameters }
  if (!config.store) throw new Error('a hybrid run names its store (config.store)')
  const why = unavailable(config.store)
  if (why && isRemoteStore(config.store)) {
    context.log(`skipped: ${config.store}: ${why}`)
    return { skipped: `${config.store}: ${why}` }
  }
  const benchmark = await getBenchmark(db, run.benchmarkId)
  const classifierRun = await findClassifierRun(db, run, benchmark.datasetId, config)
  context.log(`mixing run ${classifierRun.id} (${classifierRun.method}) with ${config.store} (${config.metric}) on ${config.encoder} embeddings`)
  const memory = new PeakMemoryTracker()
  const started = performance.now()

  const encoderSpec = await encoderSpecOf(db, run, config.encoder, classifierRun)
  const embedded = await ensureEmbeddings({ store, db, dataset, datasetHash: context.datasetHash, encoder: encoderSpec, log: context.log })
  context.log(`${embedded.reused ? 'reusing' : 'made'} ${embedded.key}: ${embedded.set.model}`)
  // What serving reopens: the base model pinned to the digest the set was made with.
  const encoder: EncoderSpec = encoderSpec.kind === 'base' ? { kind: 'base', baseModel: embedded.set.encoder.slice('base:'.length) } : encoderSpec
  const model: Omit<HybridModelFile, 'rule'> = {
    format: 'bankbench-hybrid/1', classifierRunId: classifierRun.id, classifierMethod: classifierRun.method, datasetId: benchmark.datasetId, encoder,
    embeddings: { key: embedded.key, sha256: embedded.sha256, encoder: embedded.set.encoder, dimension: embedded.set.dimension },
    store: config.store, metric: config.metric, indexSettings: config.index_settings, labels: [...dataset.labels],
  }

  const served = await loadServedModel(db, store, classifierRun.id)
  // The store's index: the benchmark's index job's when it persisted one for this store, settings and set, else built here and persisted (FAISS, usearch) for deployments to load.
  const parts = await openHybridStore(db, store, model, `run_${run.id.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`, { persist: true }).catch(async (error: unknown) => {
    await served.predictor.dispose()
    throw error
  })
  const kMax = config.k ?? Math.max(...HYBRID_GRID.ks)
  const { hybrid: probe, predictor } = await hybridPredictor(served.predictor, parts, { weight: 1, k: kMax })
  try {
    context.log(parts.loadedFrom
      ? `loaded the persisted index ${parts.loadedFrom} of ${parts.vectors} training vectors in ${parts.buildSeconds.toFixed(2)} s`
      : `indexed ${parts.vectors} training vectors of dimension ${parts.set.dimension} in ${parts.buildSeconds.toFixed(2)} s${parts.savedTo ? `, persisted at ${parts.savedTo}` : ''}${parts.notSaved ? `, not persisted: ${parts.notSaved}` : ''}`)
    const labels = [...served.predictor.labels]
    context.signal.throwIfAborted()
    const validation = (await probe.inputs(dataset.validation.map((example) => example.text), kMax)).map((input, i) => ({ ...input, label: dataset.validation[i]!.label }))
    const choice = chooseHybridRule(validation, labels, hybridGrid({ weight: config.weight, k: config.k }))
    const knnK = bestKnnK(validation, labels, config.k)
    const trainSeconds = (performance.now() - started) / 1000
    context.log(`chosen on validation (${validation.length} rows): weight ${choice.rule.weight}, k ${choice.rule.k}: hybrid ${pct(choice.validationAccuracy)} (held out by two-fold cross-fitting: ${pct(choice.heldOutValidationAccuracy)}), classifier alone ${pct(choice.modelValidationAccuracy)}, kNN alone ${pct(choice.knnValidationAccuracy)}`)
    context.signal.throwIfAborted()

    const gold = dataset.test.map((example) => example.label)
    const test = await probe.inputs(dataset.test.map((example) => example.text), kMax)
    const report = (rule: { weight: number; k: number }) => classificationReport(gold, test.map((input) => hybridPredict(input, labels, rule)), labels)
    const hybridReport = report(choice.rule)
    const classifierReport = report({ weight: 0, k: 1 })
    const knnReport = report({ weight: 1, k: knnK })

    // The served object with the chosen rule: what a deployment answers, timed end to end.
    probe.parts.rule = choice.rule
    const texts = dataset.test.map((example) => example.text)
    const samples: number[] = []
    for (const text of texts.slice(0, LATENCY_SAMPLES)) {
      const t0 = performance.now()
      await predictor.predict([text])
      samples.push(performance.now() - t0)
    }
    const batchTexts = texts.slice(0, THROUGHPUT_MESSAGES)
    const t0 = performance.now()
    for (let start = 0; start < batchTexts.length; start += THROUGHPUT_BATCH) await predictor.predict(batchTexts.slice(start, start + THROUGHPUT_BATCH))
    const throughputPerSecond = batchTexts.length / Math.max((performance.now() - t0) / 1000, 1e-9)
    const latency = latencySummary(samples)

    const file: HybridModelFile = { ...model, rule: choice.rule }
    const body = JSON.stringify(file, null, 2)
    await context.saveArtifact(HYBRID_MODEL_FILE, body)
    await context.reportMetrics([
      { name: 'validation_accuracy', value: choice.heldOutValidationAccuracy, epoch: 1 },
      { name: 'test_accuracy', value: hybridReport.accuracy, epoch: 1 },
    ])
    context.log(`test: hybrid ${pct(hybridReport.accuracy)}, ${classifierRun.method} alone ${pct(classifierReport.accuracy)}, kNN alone (k ${knnK}) ${pct(knnReport.accuracy)}; p50 ${latency.p50Ms.toFixed(2)} ms`)
    // The banking rubric (docs/rubrics.md) through the served object with the chosen rule.
    const rubric = await bankingRubricOfPredictor({ predictor, dataset, seed: run.seed, log: (message) => context.log(message), signal: context.signal })
    return {
      // Held out: the in-sample figure is the best of the grid on these rows and would win the recommendation over the classifier it mixes.
      accuracy: hybridReport.accuracy, macroF1: hybridReport.macroF1, validationAccuracy: choice.heldOutValidationAccuracy, ruleValidationAccuracy: choice.validationAccuracy,
      perLabel: hybridReport.perLabel, confusion: hybridReport.confusion,
      latencyP50Ms: latency.p50Ms, latencyP95Ms: latency.p95Ms, latency, throughputPerSecond,
      classifierRunId: classifierRun.id, classifierMethod: classifierRun.method,
      store: config.store, metric: config.metric, indexSettings: config.index_settings,
      encoder: parts.set.encoder, encoderModel: parts.set.model, embeddingsKey: embedded.key, dimension: parts.set.dimension, vectors: parts.vectors,
      weight: choice.rule.weight, k: choice.rule.k, tunedWeight: config.weight === undefined, tunedK: config.k === undefined,
      classifierAccuracy: classifierReport.accuracy, classifierValidationAccuracy: choice.modelValidationAccuracy,
      knnAccuracy: knnReport.accuracy, knnValidationAccuracy: choice.knnValidationAccuracy,
      buildSeconds: parts.buildSeconds, ...(parts.loadedFrom ? { indexLoadedFrom: parts.loadedFrom } : {}), ...(parts.savedTo ? { indexSavedTo: parts.savedTo } : {}), trainSeconds, peakRssBytes: memory.stop(), modelBytes: Buffer.byteLength(body),
      notApplicable: ['trainableParameters', 'totalParameters', 'trainableRatio', 'adapterBytes'],
      ...rubric,
    } satisfies HybridRunSummary
  } finally {
    memory.stop()
    await predictor.dispose()
  }
}

/**
 * The run whose classifier the hybrid mixes: the one `classifier_run` names (succeeded, servable,
 * on the same dataset), or the benchmark's succeeded runs of the `classifier` method, the same
 * seed's first, then the best validation accuracy.
 */
async function findClassifierRun(db: Database, run: RunOf, datasetId: string, config: { classifier?: string; classifier_run?: string }): Promise<RunRow> {
  if (config.classifier_run) {
    const named = await getRun(db, config.classifier_run)
    if (named.status !== 'succeeded') throw new Error(`classifier_run ${named.id} is ${named.status}: a hybrid mixes a succeeded run`)
    if (!isServable(named.method) || named.method === 'hybrid') throw new Error(`classifier_run ${named.id} is a ${named.method} run, which saves no classifier a hybrid can mix`)
    const of = await getBenchmark(db, named.benchmarkId)
    if (of.datasetId !== datasetId) throw new Error(`classifier_run ${named.id} was trained on dataset ${of.datasetId}, not this benchmark's ${datasetId}`)
    return named
  }
  const candidates = (await listRunsOfBenchmark(db, run.benchmarkId))
    .filter((other) => other.method === config.classifier && other.status === 'succeeded' && !(other.summary && 'skipped' in other.summary))
  if (candidates.length === 0) throw new Error(`the benchmark has no succeeded ${config.classifier} run for the hybrid to mix`)
  const validation = (other: RunRow) => Number(other.summary?.validationAccuracy ?? -1)
  return candidates.sort((a, b) => Number(b.seed === run.seed) - Number(a.seed === run.seed) || validation(b) - validation(a))[0]!
}

/** kNN alone, for the comparison: the arm's k, else the grid's k with the best validation accuracy (the smaller on a tie). */
function bestKnnK(validation: Parameters<typeof chooseHybridRule>[0], labels: readonly string[], fixed: number | undefined): number {
  if (fixed !== undefined) return fixed
  const accuracy = (k: number) => validation.filter((row) => hybridPredict(row, labels, { weight: 1, k }) === row.label).length
  return HYBRID_GRID.ks.reduce((best, k) => (accuracy(k) > accuracy(best) ? k : best), HYBRID_GRID.ks[0]!)
}

function pct(value: number): string {
  return `${(value * 100).toFixed(2)}%`
}
