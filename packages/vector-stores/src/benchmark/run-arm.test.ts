import { afterEach, describe, expect, it, vi } from 'vitest'
import { planRuns, benchmarkSpecSchema, VECTOR_STORE_NAMES } from '@bankbench/core'
import { clusteredRecords } from '../testing'
import { VECTOR_ARMS, VECTOR_QUICK_ARMS, describeArm } from './arms'
import { selfHostedCost } from './cost'
import { managedStoreCost } from './managed-prices'
import { startPineconeProtocolServer } from '../remote/pinecone-protocol-server'
import { STORES } from './stores'
import { exactTopK } from './reference'
import { runVectorArm, tieAwareRecall } from './run-arm'

const RECORDS = clusteredRecords({ count: 400, dimension: 12, clusters: 5, seed: 2 })
const QUERIES = clusteredRecords({ count: 40, dimension: 12, clusters: 5, seed: 2, spread: 0.7 }).map((record) => ({ vector: record.vector, label: record.label }))

describe('runVectorArm', () => {
  it('measures exact search at recall 1 and an HNSW store near it, with every figure filled in', async () => {
    const exact = exactTopK(RECORDS, QUERIES.map((query) => query.vector), 'cosine', 10)
    const input = { records: RECORDS, queries: QUERIES, exact, k: 10, concurrency: 2, warmup: 5 }
    const reference = await runVectorArm({ store: 'exact', metric: 'cosine', settings: {} }, input)
    expect(reference.recallAtK).toBe(1)
    expect(reference.count).toBe(400)
    const hnsw = await runVectorArm({ store: 'usearch', metric: 'cosine', settings: { efSearch: 64 } }, input)
    expect(hnsw.recallAtK).toBeGreaterThan(0.95)
    for (const result of [reference, hnsw]) {
      expect(result.latency.count).toBe(QUERIES.length)
      expect(result.latency.p50Ms).toBeGreaterThan(0)
      expect(result.throughputQps).toBeGreaterThan(0)
      expect(result.knnAccuracy[1]).toBeGreaterThan(0.8) // clusters are well apart: neighbours share the query's intent
      expect(result.cost.perMillionQueriesUsd).toBeGreaterThan(0)
    }
  })
})

describe('runVectorArm: what an arm\'s cost is priced on', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('prices a remote arm (Pinecone, against its local protocol server) from the managed table, a local arm on the Fargate machine', async () => {
    const records = RECORDS.slice(0, 60)
    const queries = QUERIES.slice(0, 10)
    const exact = exactTopK(records, queries.map((query) => query.vector), 'cosine', 10)
    const input = { records, queries, exact, k: 10, concurrency: 2, warmup: 0 }
    const server = await startPineconeProtocolServer()
    try {
      vi.stubEnv('PINECONE_API_KEY', server.apiKey)
      vi.stubEnv('PINECONE_CONTROLLER_HOST', server.url)
      const remote = await runVectorArm({ store: 'pinecone', metric: 'cosine', settings: {} }, input, 'cost_test')
      expect(remote.cost.pricing).toBe('managed (table)')
      // 60 records x (4 x 12 + id and metadata) bytes is far under 1 GB: the 0.25 read-unit minimum at $16 per million
      expect(remote.cost.perMillionQueriesUsd).toBeCloseTo(4, 10)
      expect(remote.cost.monthlyUsd).toBe(50)
      const metadataBytes = records.reduce((sum, record) => sum + Buffer.byteLength(record.id) + Buffer.byteLength(JSON.stringify({ intent: record.label })), 0) / records.length
      expect(remote.cost.managed).toEqual(managedStoreCost({ store: 'pinecone', vectors: 60, dimension: 12, metadataBytes, queriesPerSecond: remote.throughputQps }))
      expect(remote.cost.formula).toContain('read units/query = max(0.25')
    } finally {
      await server.stop()
    }
    const local = await runVectorArm({ store: 'exact', metric: 'cosine', settings: {} }, input)
    expect(local.cost.pricing).toBe('self-hosted (Fargate)')
    expect(local.cost.perMillionQueriesUsd).toBeCloseTo(selfHostedCost(local.throughputQps).perMillionQueriesUsd, 9)
    expect(local.cost.monthlyUsd).toBeCloseTo(selfHostedCost(local.throughputQps).monthlyUsd, 9)
  })
})

describe('tieAwareRecall', () => {
  const m = (id: string, score: number) => ({ id, label: 'x', score })
  it('counts ids of the exact top k, and others that tie with its k-th score', () => {
    const exact = [[m('a', 0.9), m('b', 0.8)]]
    expect(tieAwareRecall([[m('a', 0.9), m('c', 0.8)]], exact, 2)).toBe(1)
    expect(tieAwareRecall([[m('a', 0.9), m('c', 0.7)]], exact, 2)).toBe(0.5)
  })
})

describe('the presets', () => {
  it('name every seed FAISS factory with L2 and inner product, and describe arms on one line', () => {
    const faiss = VECTOR_ARMS.filter((arm) => arm.store === 'faiss').map(describeArm)
    for (const factory of ['Flat', 'IVF100,PQ8', 'HNSW32']) for (const metric of ['l2', 'ip']) expect(faiss.some((line) => line.startsWith(`faiss ${factory} ${metric}`))).toBe(true)
    expect(new Set(VECTOR_QUICK_ARMS.map((arm) => arm.store))).toEqual(new Set(['exact', 'faiss', 'usearch', 'pgvector', 'lancedb', 'chroma']))
  })

  it('price a self-hosted store by the machine hour over its throughput', () => {
    const cost = selfHostedCost(1000)
    expect(cost.perMillionQueriesUsd).toBeCloseTo((cost.monthlyUsd / 730 / 3_600_000) * 1e6, 9)
  })
})

describe('core\'s copy of the vector-bench vocabulary', () => {
  it('names the stores this package opens', () => {
    expect([...VECTOR_STORE_NAMES]).toEqual([...STORES])
  })

  it('plans the vector preset as exactly VECTOR_ARMS', () => {
    const all = planRuns(benchmarkSpecSchema.parse({ arms: [{ preset: 'vector' }] }))
    // Besides the store arms: the embeddings they share, the hybrid, the TF-IDF run it mixes and its store's persisted index.
    expect(all.filter((run) => run.method !== 'vector-bench').map((run) => run.method)).toEqual(['embed', 'tfidf-logreg', 'index', 'hybrid'])
    const runs = all.filter((run) => run.method === 'vector-bench')
    const planned = runs.map((run) => {
      const config = run.config.hyperparameters as { store: string; metric: string; index_settings: Record<string, unknown> }
      return { store: config.store, metric: config.metric, settings: config.index_settings }
    })
    expect(new Set(planned.map((arm) => JSON.stringify(arm)))).toEqual(new Set(VECTOR_ARMS.map((arm) => JSON.stringify(arm))))
    expect(planned).toHaveLength(VECTOR_ARMS.length)
  })
})

describe('the self-hosted price', () => {
  it('is the indexer job size on Fargate, as the report\'s note says', async () => {
    const { machineHourlyUsd } = await import('./cost')
    const { FARGATE_PRICE_NOTE } = await import('@bankbench/core')
    expect(FARGATE_PRICE_NOTE).toContain(`$${machineHourlyUsd().toFixed(4)} an hour`)
  })
})
