/**
 * Issue 13's embed and index jobs end to end, through the real planner, the real local job
 * runner and the indexer entrypoint, on 6 Banking77 intents (20 training and 10 validation
 * messages each from the official train split, their official test messages): an `embed`
 * arm stores the TF-IDF + SVD set and reports its kNN intent accuracy and usearch's recall@10;
 * the vector-bench arm of the same encoder waits for it and reads that set (it encodes
 * nothing); an `index` arm builds usearch's index of the training split and persists it; the
 * hybrid over the same store and settings waits for it and loads it, and so does the hybrid
 * deployed (serving's loadServedModel), instead of rebuilding the index.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, FsArtifactStore, listRunsOfBenchmark, loadBanking77, LocalJobRunner, openDatabase, registerDataset, submitBenchmark,
  type DatabaseHandle, type DatasetSplits, type EmbedRunSummary, type HybridRunSummary, type IndexRunSummary, type RunRow, type VectorBenchSummary,
} from '@bankbench/core'
import { loadServedModel } from '@bankbench/serving'
import { parseEmbeddings } from '@bankbench/vector-stores/embeddings'

const INTENTS = 6
const PER_INTENT = { train: 20, validation: 10 }
const STORE = { store: 'usearch', metric: 'cosine', index_settings: { m: 16, efConstruction: 64, efSearch: 32 }, encoder: 'tfidf-svd' }

function splits(): DatasetSplits {
  const banking77 = loadBanking77()
  const labels = banking77.labels.slice(0, INTENTS)
  const of = (label: string) => banking77.train.filter((example) => example.label === label)
  return {
    labels,
    train: labels.flatMap((label) => of(label).slice(0, PER_INTENT.train)),
    validation: labels.flatMap((label) => of(label).slice(PER_INTENT.train, PER_INTENT.train + PER_INTENT.validation)),
    test: banking77.test.filter((example) => labels.includes(example.label)),
  }
}

describe('embed and index jobs: made once, read by the vector-bench and hybrid jobs, loaded by a deployment', () => {
  let database: DatabaseHandle
  let directory: string
  let store: FsArtifactStore
  let runs: RunRow[]
  const dataset = splits()

  beforeAll(async () => {
    database = await openDatabase()
    directory = mkdtempSync(join(tmpdir(), 'bankbench-embed-e2e-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    await registerDataset(database.db, store, { id: 'bank6', name: 'bank6', source: 'upload', splits: dataset })
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 2 })
    try {
      // Listed against the order they run in: the plan waits by kind (embed, then index and vector-bench, the hybrid last).
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'bank6',
        arms: [
          { method: 'hybrid', config: { classifier: 'tfidf-logreg', ...STORE, weight: 0.5, k: 5 } },
          { method: 'vector-bench', config: { store: 'exact', metric: 'cosine', encoder: 'tfidf-svd', queries: 50 } },
          { method: 'index', config: STORE },
          { method: 'embed', config: { encoder: 'tfidf-svd', queries: 50 } },
          { method: 'tfidf-logreg' },
        ],
        protocol: { seeds: [1], timeoutSeconds: 240 },
      }))
      await queue.idle()
      runs = await listRunsOfBenchmark(database.db, benchmark.id)
    } finally {
      await queue.close()
    }
  }, 600_000)
  afterAll(async () => {
    await database?.close()
    rmSync(directory, { recursive: true, force: true })
  })

  const runOf = (method: string) => runs.find((run) => run.method === method)!

  it('runs the embed arm first: the set stored once, with its kNN intent accuracy and an approximate store\'s recall@10', () => {
    expect(runs.map((run) => [run.method, run.status, run.error])).toEqual([
      ['hybrid', 'succeeded', null], ['vector-bench', 'succeeded', null], ['index', 'succeeded', null], ['embed', 'succeeded', null], ['tfidf-logreg', 'succeeded', null],
    ])
    const embed = runOf('embed').summary as EmbedRunSummary
    expect(embed).toMatchObject({
      encoder: expect.stringMatching(/^tfidf-svd:\d+:seed1$/), reused: false, metric: 'cosine', queries: 50, vectors: INTENTS * (PER_INTENT.train + PER_INTENT.validation),
      counts: { train: dataset.train.length, validation: dataset.validation.length, test: dataset.test.length },
      approximate: { store: 'usearch' }, validationAccuracy: null,
    })
    for (const k of ['k1', 'k5', 'k10'] as const) {
      expect(embed.knnAccuracy[k]).toBeGreaterThan(1 / INTENTS)
      expect(embed.knnAccuracy[k]).toBeLessThanOrEqual(1)
    }
    expect(embed.approximate!.recallAt10).toBeGreaterThan(0.9)
    expect(embed.notApplicable).toContain('accuracy')
    console.info(`embed (TF-IDF + SVD, ${INTENTS} intents): kNN accuracy k1 ${pct(embed.knnAccuracy.k1)}, k5 ${pct(embed.knnAccuracy.k5)}, k10 ${pct(embed.knnAccuracy.k10)}; usearch recall@10 ${embed.approximate!.recallAt10.toFixed(4)}`)
  })

  it('gives the vector-bench job the embed job\'s stored set: it waited, read it, and encoded nothing', async () => {
    const embedRun = runOf('embed')
    const embed = embedRun.summary as EmbedRunSummary
    const bench = runOf('vector-bench')
    const summary = bench.summary as VectorBenchSummary
    expect(summary).toMatchObject({ embeddingsKey: embed.embeddingsKey, embeddingsReused: true, encoder: embed.encoder, recallAt10: 1 })
    expect(bench.startedAt!.getTime()).toBeGreaterThanOrEqual(embedRun.finishedAt!.getTime())
    // Exact search in the vector-bench arm, and the embed run's exact kNN accuracy, on the same 50 queries and vectors (a float tie may move one query).
    for (const k of ['k1', 'k5', 'k10'] as const) expect(Math.abs(summary.knnAccuracy[k] - embed.knnAccuracy[k])).toBeLessThanOrEqual(1 / 50 + 1e-9)
    // The stored set is the embed run's, unchanged: its encoding time is the embed run's.
    const set = parseEmbeddings(await store.get(embed.embeddingsKey))
    expect(set.encodeSeconds).toBe(embed.encodeSeconds)
  })

  it('persists the index job\'s usearch index, which the hybrid job and its deployment load instead of building', async () => {
    const index = runOf('index').summary as IndexRunSummary
    expect(index).toMatchObject({ store: 'usearch', vectors: dataset.train.length, embeddingsKey: (runOf('embed').summary as EmbedRunSummary).embeddingsKey, persisted: { key: expect.stringMatching(/^indexes\/[0-9a-f]{16}\/usearch-cosine-[0-9a-f]{16}\.train\.idx$/) } })
    expect(index.buildSeconds).toBeGreaterThan(0)
    expect(index.indexBytes).toBeGreaterThan(0)
    expect(await store.exists(index.persisted!.key)).toBe(true)

    const hybrid = runOf('hybrid')
    const summary = hybrid.summary as HybridRunSummary
    expect(summary).toMatchObject({ indexLoadedFrom: index.persisted!.key, vectors: dataset.train.length, weight: 0.5, k: 5 })
    expect(summary.indexSavedTo).toBeUndefined()
    expect(hybrid.startedAt!.getTime()).toBeGreaterThanOrEqual(runOf('index').finishedAt!.getTime())

    // What POST /v1/deployments loads: the classifier, the encoder and the persisted index.
    const served = await loadServedModel(database.db, store, hybrid.id)
    try {
      expect(served.backend).toContain(`index loaded from ${index.persisted!.key}`)
      const texts = dataset.test.map((example) => example.text)
      const predictions = await served.predictor.predict(texts)
      const accuracy = predictions.filter((prediction, i) => prediction.label === dataset.test[i]!.label).length / texts.length
      expect(accuracy).toBeCloseTo(summary.accuracy, 5)
    } finally {
      await served.predictor.dispose()
    }
  }, 120_000)
})

function pct(value: number): string {
  return `${(value * 100).toFixed(2)}%`
}
