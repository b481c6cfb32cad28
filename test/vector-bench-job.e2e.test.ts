/**
 * The vector-bench job end to end: vector arms through the real planner, the real
 * local job runner and the indexer entrypoint. The arms share one embedding artifact
 * (made by the first run of the encoder, read by the others), and each run records
 * its store's figures: exact search and FAISS Flat at recall 1.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, FsArtifactStore, listRunArtifacts, listRunsOfBenchmark, LocalJobRunner, openDatabase, planRuns, registerDataset, submitBenchmark,
  type DatabaseHandle, type VectorBenchSummary,
} from '@bankbench/core'
import { loadFaiss } from '@bankbench/vector-stores'
import { startWeaviateProtocolServer } from '@bankbench/vector-stores/testing'
import { tinyIntentSplits } from './fixtures/tiny-intents'

const FAISS = !('reason' in loadFaiss())

describe('vector-bench jobs through the local runner', () => {
  let database: DatabaseHandle
  let directory: string
  let store: FsArtifactStore

  beforeAll(async () => {
    database = await openDatabase()
    directory = mkdtempSync(join(tmpdir(), 'bankbench-vector-e2e-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    await registerDataset(database.db, store, { id: 'intents', name: 'intents', source: 'upload', splits: tinyIntentSplits() })
  })
  afterAll(async () => {
    await database.close()
    rmSync(directory, { recursive: true, force: true })
  })

  it('runs one vector arm per store on shared TF-IDF + SVD embeddings, each with its figures', async () => {
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 1 })
    try {
      const stores = ['exact', 'usearch', 'lancedb', ...(FAISS ? ['faiss'] : [])]
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'intents',
        arms: stores.map((name) => ({
          method: 'vector-bench',
          config: { store: name, metric: name === 'faiss' ? 'l2' : 'cosine', encoder: 'tfidf-svd', index_settings: name === 'lancedb' ? { index: 'none' } : {} },
        })),
        protocol: { seeds: [1], timeoutSeconds: 120 },
      }))
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(runs.map((run) => [run.method, run.status, run.error])).toEqual(stores.map(() => ['vector-bench', 'succeeded', null]))
      const summaries = runs.map((run) => run.summary as VectorBenchSummary)
      expect(summaries.map((summary) => summary.store)).toEqual(stores)
      // One embedding artifact for all of them: made once, read by the others.
      expect(new Set(summaries.map((summary) => summary.embeddingsKey)).size).toBe(1)
      expect(await store.exists(summaries[0]!.embeddingsKey)).toBe(true)
      for (const summary of summaries) {
        // 16 training + 4 validation rows indexed, the 4 test queries asked.
        expect(summary).toMatchObject({ vectors: 20, queries: 4, validationAccuracy: null })
        expect(summary.latency.count).toBe(4)
        expect(summary.knnAccuracy.k1).toBeGreaterThanOrEqual(0)
        expect(summary.costPerMillionQueriesUsd).toBeGreaterThan(0)
      }
      expect(summaries.find((summary) => summary.store === 'exact')!.recallAt10).toBe(1)
      if (FAISS) expect(summaries.find((summary) => summary.store === 'faiss')!.recallAt10).toBe(1)
      for (const run of runs) expect((await listRunArtifacts(database.db, run.id)).map((artifact) => artifact.name)).toContain('vector-bench.json')
    } finally {
      await queue.close()
    }
    // Four job processes one after the other, each starting Node and loading its store: about a minute here, twice that on a loaded machine.
  }, 300_000)

  it('runs a remote store where its settings name one (Weaviate, here its protocol server) and skips one whose endpoint is unset', async () => {
    const weaviate = await startWeaviateProtocolServer()
    const queue = new LocalJobRunner({
      db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs-remote'), concurrency: 1,
      // The job processes' environment: a developer's own MILVUS_URI must not turn the skipped arm into a real one.
      env: { WEAVIATE_URL: weaviate.httpUrl, WEAVIATE_GRPC_URL: weaviate.grpcUrl, WEAVIATE_API_KEY: weaviate.apiKey, MILVUS_URI: '' },
    })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'intents',
        arms: ['weaviate', 'milvus'].map((name) => ({ method: 'vector-bench', config: { store: name, metric: 'cosine', encoder: 'tfidf-svd' } })),
        protocol: { seeds: [1], timeoutSeconds: 120 },
      }))
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(runs.map((run) => [run.status, run.error])).toEqual([['succeeded', null], ['succeeded', null]])
      expect(runs[0]!.summary).toMatchObject({ store: 'weaviate', vectors: 20, queries: 4, recallAt10: 1, memoryBytes: 0 })
      expect(runs[1]!.summary).toEqual({ skipped: expect.stringMatching(/^milvus: MILVUS_URI is not set/) })
      expect(weaviate.requests).toEqual(expect.arrayContaining(['POST /v1/schema', 'grpc BatchObjects', 'grpc Search']))
    } finally {
      await queue.close()
      await weaviate.stop()
    }
  }, 300_000)

  it('refuses a store it does not know, before anything is stored', () => {
    expect(() => planRuns(benchmarkSpecSchema.parse({ dataset: 'intents', arms: [{ method: 'vector-bench', config: { store: 'annoy' } }] }))).toThrow(/store/)
  })
})
