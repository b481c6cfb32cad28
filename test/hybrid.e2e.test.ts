/**
 * Issue 13's hybrid as a method, end to end through the HTTP API, the real local job runner
 * and the real entrypoints: a benchmark on 12 Banking77 intents (40 training and 40
 * validation messages each from the official train split, their official test messages)
 * with a TF-IDF + logistic regression arm and a hybrid arm mixing that run with kNN votes
 * over the base model's embeddings of the training messages in FAISS HNSW (usearch where
 * the FAISS addon is not built). The hybrid job waits for the baseline job, chooses weight
 * and k on validation, scores test, saves hybrid.json; the run is then deployed by id and
 * classifies over HTTP as its job measured it. A lora arm (1 epoch on the shipped
 * bankbench-mini) and a hybrid over its own fine-tuned encoder (`encoder: 'classifier'`) run
 * beside them: the stored embeddings are that run's model mean-pooled, the hybrid deploys and
 * classifies with the same encoder, and an encoder that is no fine-tuning run is refused at the edge.
 */
import * as tf from '@tensorflow/tfjs'
import { MAX_BATCH_TEXTS } from '@bankbench/api'
import { openTestApi, type TestApi } from '@bankbench/api/testing'
import { listRunArtifacts, loadBanking77, type HybridRunSummary, type LocalJobRunner } from '@bankbench/core'
import { RED_TEAM_SUITE } from '@bankbench/metrics'
import { initBackend } from '@bankbench/engine'
import { loadRunClassifier } from '@bankbench/model-store'
import { loadFaiss } from '@bankbench/vector-stores'
import { parseEmbeddings, splitOf } from '@bankbench/vector-stores/embeddings'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const INTENTS = 12
const PER_INTENT = { train: 40, validation: 40 }
const FAISS = !('reason' in loadFaiss())
const STORE = FAISS ? { store: 'faiss', metric: 'ip', index_settings: { factory: 'HNSW32', efSearch: 64 } } : { store: 'usearch', metric: 'cosine', index_settings: {} }

interface Row { text: string; label: string; split: 'train' | 'validation' | 'test' }

function datasetRows(): Row[] {
  const banking77 = loadBanking77()
  const rows: Row[] = []
  for (const label of banking77.labels.slice(0, INTENTS)) {
    const train = banking77.train.filter((example) => example.label === label).map((example) => example.text)
    rows.push(...train.slice(0, PER_INTENT.train).map((text) => ({ text, label, split: 'train' as const })))
    rows.push(...train.slice(PER_INTENT.train, PER_INTENT.train + PER_INTENT.validation).map((text) => ({ text, label, split: 'validation' as const })))
    rows.push(...banking77.test.filter((example) => example.label === label).map((example) => ({ text: example.text, label, split: 'test' as const })))
  }
  return rows
}

const quote = (field: string) => `"${field.replaceAll('"', '""')}"`
const csvOf = (rows: Row[]) => `${['text,label,split', ...rows.map((row) => [quote(row.text), row.label, row.split].join(','))].join('\n')}\n`

interface RunView { id: string; method: string; status: string; error: string | null; summary: Record<string, unknown> | null }
interface Classification { intent: string; confidence: number; topIntents: { intent: string; score: number }[] }

describe('the hybrid method: planned after its classifier, run by the indexer, deployed and classifying over HTTP', () => {
  let api: TestApi
  const rows = datasetRows()
  const test = rows.filter((row) => row.split === 'test')
  let runs: RunView[]
  let datasetId: string

  beforeAll(async () => {
    api = await openTestApi()
    const upload = await api.app.request('/v1/datasets?name=bank-12', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csvOf(rows) })
    const dataset = await upload.json() as { id: string }
    expect(upload.status).toBe(201)
    datasetId = dataset.id
    // The hybrid arm first: the plan still runs it after the baseline job it reads.
    const submitted = await api.postJson('/v1/benchmarks', {
      name: 'hybrid over tfidf', dataset: dataset.id,
      arms: [
        { method: 'hybrid', config: { classifier: 'tfidf-logreg', ...STORE } },
        { method: 'tfidf-logreg' },
        // Fixed weight and k: kept as given (only the rest would be searched), and the store answers every message.
        { method: 'hybrid', config: { classifier: 'tfidf-logreg', ...STORE, weight: 0.3, k: 5 } },
        // A fine-tuning run, and a hybrid over its own encoder (the run's model, mean-pooled) instead of the base model's.
        { method: 'lora', config: { epochs: 1, batch_size: 16, max_length: 32 } },
        { method: 'hybrid', config: { classifier: 'lora', encoder: 'classifier', ...STORE } },
      ],
      protocol: { timeoutSeconds: 300 },
    })
    expect(submitted.status).toBe(202)
    const benchmarkId = (await submitted.json() as { id: string }).id
    await (api.platform.queue as LocalJobRunner).idle()
    runs = (await (await api.app.request(`/v1/benchmarks/${benchmarkId}/runs`)).json() as { items: RunView[] }).items
  }, 600_000)
  afterAll(async () => api?.close())

  it('runs the hybrid on the TF-IDF run, with weight and k chosen on validation and the test figures of every run', async () => {
    expect(runs.map((run) => [run.method, run.status, run.error])).toEqual([
      ['hybrid', 'succeeded', null], ['tfidf-logreg', 'succeeded', null], ['hybrid', 'succeeded', null], ['lora', 'succeeded', null], ['hybrid', 'succeeded', null],
    ])
    const [hybridRun, tfidf, fixed] = runs as [RunView, RunView, RunView]
    expect(fixed.summary).toMatchObject({ weight: 0.3, k: 5, tunedWeight: false, tunedK: false, classifierRunId: tfidf.id })
    const fixedSummary = fixed.summary as unknown as HybridRunSummary
    const summary = hybridRun.summary as unknown as HybridRunSummary
    expect(summary).toMatchObject({
      classifierRunId: tfidf.id, classifierMethod: 'tfidf-logreg', store: STORE.store, metric: STORE.metric, vectors: INTENTS * PER_INTENT.train,
      tunedWeight: true, tunedK: true, encoder: expect.stringMatching(/^base:bankbench-mini@/),
    })
    // The classifier alone is the TF-IDF run's own test figure; the hybrid is chosen on validation, never worse there.
    expect(summary.classifierAccuracy).toBeCloseTo(tfidf.summary!.accuracy as number, 10)
    expect(summary.classifierValidationAccuracy).toBeCloseTo(tfidf.summary!.validationAccuracy as number, 10)
    // In sample the chosen rule is never worse than the classifier alone (weight 0 is in the grid); the run's validation
    // accuracy, what the recommendation compares, is the choice held out (two-fold cross-fitting), never above it.
    expect(summary.ruleValidationAccuracy).toBeGreaterThanOrEqual(summary.classifierValidationAccuracy)
    expect(summary.validationAccuracy).toBeGreaterThan(0)
    expect(summary.validationAccuracy).toBeLessThanOrEqual(summary.ruleValidationAccuracy!)
    expect(summary.macroF1).toBeGreaterThan(0)
    expect(summary.latency.count).toBe(200)
    expect(summary.latencyP50Ms).toBeGreaterThan(0)
    expect(summary.perLabel).toHaveLength(INTENTS)
    // Every deployable run has both banking rubric scores: the hybrid's, through its served object and the reply policy.
    expect(summary.relevanceScore).toBeGreaterThan(0)
    expect(summary.relevanceScore).toBeLessThanOrEqual(10)
    expect(summary.securityScore).toBeGreaterThan(0)
    expect(summary.securityScore).toBeLessThanOrEqual(10)
    expect(summary.rubric).toMatchObject({ relevance: { mode: 'rubric', messages: test.length }, security: { mode: 'red-team', cases: RED_TEAM_SUITE.length } })
    expect((await listRunArtifacts(api.platform.db, hybridRun.id)).map((artifact) => artifact.name)).toContain('hybrid.json')
    console.info(`fixed hybrid (weight 0.3, k 5): test ${pct(fixedSummary.accuracy)}, validation ${pct(fixedSummary.validationAccuracy)}; p50 ${fixedSummary.latencyP50Ms.toFixed(2)} ms, p95 ${fixedSummary.latencyP95Ms.toFixed(2)} ms`)
    console.info(`hybrid (${STORE.store}, base-model embeddings) on ${INTENTS} intents: weight ${summary.weight}, k ${summary.k}; test accuracy hybrid ${pct(summary.accuracy)}, `
      + `TF-IDF alone ${pct(summary.classifierAccuracy)}, kNN alone ${pct(summary.knnAccuracy)}; validation hybrid ${pct(summary.validationAccuracy)}, TF-IDF ${pct(summary.classifierValidationAccuracy)}, `
      + `kNN ${pct(summary.knnValidationAccuracy)}; p50 ${summary.latencyP50Ms.toFixed(2)} ms, p95 ${summary.latencyP95Ms.toFixed(2)} ms, build ${summary.buildSeconds.toFixed(3)} s`)
  })

  it('runs a hybrid over the lora run\'s own encoder: the stored embeddings are that run\'s model mean-pooled', async () => {
    const [, , , lora, own] = runs as [RunView, RunView, RunView, RunView, RunView]
    const summary = own.summary as unknown as HybridRunSummary
    expect(summary).toMatchObject({ classifierRunId: lora.id, classifierMethod: 'lora', vectors: INTENTS * PER_INTENT.train, encoder: expect.stringMatching(new RegExp(`^run:${lora.id}@[0-9a-f]{16}$`)) })
    expect(summary.encoderModel).toContain(`run ${lora.id}'s fine-tuned encoder (lora, LoRA merged)`)
    expect(summary.classifierAccuracy).toBeCloseTo(lora.summary!.accuracy as number, 2)
    expect(summary.ruleValidationAccuracy).toBeGreaterThanOrEqual(summary.classifierValidationAccuracy)
    // The set: the run's own model (its adapter merged, as serving loads it) mean-pooled over each text's tokens.
    const set = parseEmbeddings(await api.platform.store.get(summary.embeddingsKey))
    expect(set.encoder).toBe(summary.encoder)
    await initBackend()
    const { classifier } = await loadRunClassifier(api.platform.db, api.platform.store, lora.id)
    try {
      const part = splitOf(set, 'test')
      for (const [i, row] of test.slice(0, 5).entries()) {
        const ids = classifier.tokenizer.encodeBatch([row.text], { maxLength: classifier.maxLength }).inputIds
        const pooled = tf.tidy(() => classifier.model.encode({ inputIds: tf.tensor2d(ids, [1, ids.length], 'int32'), attentionMask: tf.ones([1, ids.length], 'int32') as tf.Tensor2D }, { training: false, pooling: 'mean' }).pooled)
        const expected = pooled.dataSync() as Float32Array
        pooled.dispose()
        const stored = part.vectors.subarray(i * set.dimension, (i + 1) * set.dimension)
        expect(stored).toHaveLength(expected.length)
        for (let d = 0; d < expected.length; d++) expect(stored[d]).toBeCloseTo(expected[d]!, 4)
      }
    } finally {
      classifier.dispose()
    }
    console.info(`hybrid over the lora run's own encoder: weight ${summary.weight}, k ${summary.k}; test hybrid ${pct(summary.accuracy)}, lora alone ${pct(summary.classifierAccuracy)}, kNN alone ${pct(summary.knnAccuracy)}`)
  })

  it('refuses, with a problem, an encoder run that does not exist or has no encoder of its own', async () => {
    const tfidf = runs[1]!
    const refused = async (config: Record<string, unknown>) => {
      const response = await api.postJson('/v1/benchmarks', { dataset: datasetId, arms: [{ method: 'hybrid', config: { ...STORE, ...config } }, { method: 'tfidf-logreg' }] })
      expect(response.status).toBe(400)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      return response.json() as Promise<{ detail: string; errors: { path: string; message: string }[] }>
    }
    expect((await refused({ classifier_run: tfidf.id, encoder: 'run:run_doesnotexist' })).detail).toMatch(/run run_doesnotexist does not exist/)
    const noEncoder = await refused({ classifier_run: tfidf.id, encoder: `run:${tfidf.id}` })
    expect(noEncoder.detail).toMatch(/is a tfidf-logreg run, which has no encoder of its own/)
    expect(noEncoder.errors).toEqual([{ path: 'arms.0.config.encoder', message: expect.stringContaining('no encoder') }])
    expect((await refused({ classifier_run: tfidf.id, encoder: 'classifier' })).errors[0]!.path).toBe('arms.0.config.classifier_run')
    expect((await refused({ classifier: 'tfidf-logreg', encoder: 'classifier' })).detail).toMatch(/encoder classifier is the classifier run's own encoder, and a tfidf-logreg run has none/)
    expect((await refused({ classifier_run: tfidf.id, encoder: 'run:' })).detail).toMatch(/encoder/)
    const vectorBench = await api.postJson('/v1/benchmarks', { dataset: datasetId, arms: [{ method: 'vector-bench', config: { store: 'exact', encoder: `run:${tfidf.id}` } }] })
    expect(vectorBench.status).toBe(400)
  })

  it('deploys the hybrid over the lora run\'s own encoder and classifies with it over HTTP', async () => {
    const own = runs[4]!
    const summary = own.summary as unknown as HybridRunSummary
    const response = await api.postJson('/v1/deployments', { stage: 'hybrid-own', runId: own.id })
    const deployment = await response.json() as { detail?: string; smokeCheck: { passed: boolean; backend: string } }
    expect(deployment.detail).toBeUndefined()
    expect(response.status).toBe(201)
    expect(deployment.smokeCheck.backend).toContain(`on ${summary.encoder}`)
    const { key } = await (await api.postJson('/v1/api-keys', { stage: 'hybrid-own' })).json() as { key: string }
    const results: Classification[] = []
    for (let start = 0; start < test.length; start += MAX_BATCH_TEXTS) {
      const batch = await api.postJson('/v1/classify/batch', { stage: 'hybrid-own', texts: test.slice(start, start + MAX_BATCH_TEXTS).map((row) => row.text) }, { authorization: `Bearer ${key}` })
      expect(batch.status).toBe(200)
      results.push(...(await batch.json() as { results: Classification[] }).results)
    }
    const accuracy = results.filter((result, index) => result.intent === test[index]!.label).length / test.length
    // ONNX Runtime serves the classifier and the engine the encoder: float differences may move a tie, not the accuracy.
    expect(Math.abs(accuracy - summary.accuracy)).toBeLessThanOrEqual(0.02)
    console.info(`deployed hybrid over the run's own encoder: test accuracy over HTTP ${pct(accuracy)} (job ${pct(summary.accuracy)}), backend ${deployment.smokeCheck.backend}`)
  }, 240_000)

  it('deploys the hybrid run by id and classifies over HTTP as its job measured (the store queried per message)', async () => {
    const hybridRun = runs[2]!
    const summary = hybridRun.summary as unknown as HybridRunSummary
    const response = await api.postJson('/v1/deployments', { stage: 'hybrid', runId: hybridRun.id })
    const deployment = await response.json() as { runId: string; detail?: string; smokeCheck: { passed: boolean; backend: string }; settings: { topK: number } }
    expect(deployment.detail).toBeUndefined()
    expect(response.status).toBe(201)
    expect(deployment).toMatchObject({ runId: hybridRun.id, smokeCheck: { passed: true } })
    expect(deployment.smokeCheck.backend).toContain(`${STORE.store} store (${STORE.metric}, k 5, weight 0.3)`)

    const { key } = await (await api.postJson('/v1/api-keys', { stage: 'hybrid' })).json() as { key: string }
    const results: Classification[] = []
    for (let start = 0; start < test.length; start += MAX_BATCH_TEXTS) {
      const batch = await api.postJson('/v1/classify/batch', { stage: 'hybrid', texts: test.slice(start, start + MAX_BATCH_TEXTS).map((row) => row.text) }, { authorization: `Bearer ${key}` })
      expect(batch.status).toBe(200)
      results.push(...(await batch.json() as { results: Classification[] }).results)
    }
    const accuracy = results.filter((result, index) => result.intent === test[index]!.label).length / test.length
    expect(accuracy).toBeCloseTo(summary.accuracy, 2)
    for (const result of results.slice(0, 20)) expect(result.topIntents[0]).toEqual({ intent: result.intent, score: result.confidence })

    const single = await api.postJson('/v1/classify', { stage: 'hybrid', text: test[0]!.text }, { authorization: `Bearer ${key}` })
    const one = await single.json() as Classification & { latencyMs: number }
    expect(single.status).toBe(200)
    expect(one.intent).toBe(results[0]!.intent)
    expect(one.latencyMs).toBeGreaterThan(0)
    console.info(`deployed hybrid: test accuracy over HTTP ${pct(accuracy)} (job ${pct(summary.accuracy)}), one message ${one.latencyMs.toFixed(2)} ms, backend ${deployment.smokeCheck.backend}`)
  }, 240_000)
})

function pct(value: number): string {
  return `${(value * 100).toFixed(2)}%`
}
