import { describe, expect, it } from 'vitest'
import type { EmbedRunSummary, HybridRunSummary, VectorBenchSummary } from '../contracts/run-summary'
import { embeddingStudy, formatEmbeddingTable, formatHybridTable, formatVectorStoreTable, hybridStudy, vectorStoreStudy } from './vector-stores'

function summary(store: string, p50Ms: number, recallAt10: number, indexSettings: Record<string, unknown> = {}): VectorBenchSummary {
  return {
    store, metric: 'cosine', indexSettings, encoder: 'tfidf-svd:256:seed0', encoderModel: 'x', embeddingsKey: 'k', dimension: 256, vectors: 10003, queries: 1000,
    insertSeconds: 1, optimizeSeconds: 1, buildSeconds: 2, indexBytes: 1024, memoryBytes: 0,
    latency: { count: 1000, meanMs: p50Ms, p50Ms, p95Ms: p50Ms * 2, p99Ms: p50Ms * 3, maxMs: p50Ms * 4 }, concurrency: 4, recallAt10,
    knnAccuracy: { k1: 0.8, k5: 0.8, k10: 0.82 }, costPerMillionQueriesUsd: p50Ms / 10, monthlyUsd: 72, validationAccuracy: null, throughputPerSecond: 1000 / p50Ms,
  }
}

const run = (s: VectorBenchSummary) => ({ method: 'vector-bench', status: 'succeeded', summary: s })

describe('vectorStoreStudy: cost pricing', () => {
  it('labels each row\'s pricing, and prices a skipped remote store from the table at the measured set size, saying it was not run', () => {
    const managed = { ...summary('pinecone', 30, 0.99), pricing: 'managed (table)' as const, costPerMillionQueriesUsd: 4 }
    const study = vectorStoreStudy([
      run(summary('usearch', 0.12, 0.998)),
      run(managed),
      { method: 'vector-bench', status: 'succeeded', summary: { skipped: 'weaviate: WEAVIATE_URL is not set: weaviate arms run against the weaviate it names' } },
      { method: 'vector-bench', status: 'succeeded', summary: { skipped: 'weaviate: WEAVIATE_URL is not set: weaviate arms run against the weaviate it names' } },
    ])!
    expect(study.rows.map((row) => [row.store, row.pricing])).toEqual([['usearch', 'self-hosted (Fargate)'], ['pinecone', 'managed (table)']])
    expect(study.skipped).toEqual([expect.objectContaining({ arms: 2, predicted: expect.objectContaining({ store: 'weaviate', vectors: 10003, dimension: 256, perMillionQueriesUsd: 0, monthlyUsd: 25 }) })])
    const table = formatVectorStoreTable(study)
    expect(table).toContain('Not run: 2 arms (weaviate: WEAVIATE_URL is not set')
    expect(table).toContain('weaviate priced from the table, not run: $0.000 per 1M queries, $25.00 a month')
    expect(table).toMatch(/pinecone .* managed/)
  })
})

describe('vectorStoreStudy', () => {
  it('answers with the fastest arm that reaches the recall floor, and marks the latency/recall front', () => {
    const study = vectorStoreStudy([
      run(summary('exact', 15, 1)),
      run(summary('faiss', 1.4, 1, { factory: 'Flat' })),
      run(summary('usearch', 0.12, 0.998, { efSearch: 64 })),
      run(summary('faiss', 0.1, 0.5, { factory: 'IVF100,PQ8', nprobe: 10 })),
      run(summary('chroma', 4, 0.99)),
      { method: 'lora', status: 'succeeded', summary: { accuracy: 0.9 } },
    ])!
    expect(study.answer.best).toBe('usearch cosine efSearch=64')
    expect(study.rows.map((row) => [row.arm, row.onFront])).toEqual([
      ['faiss IVF100,PQ8 cosine nprobe=10', true],
      ['usearch cosine efSearch=64', true],
      ['faiss Flat cosine', true],
      ['chroma cosine', false],
      ['exact cosine', false],
    ])
    expect(study.answer.answer).toMatch(/exact search answers in 15\.000 ms/)
    expect(formatVectorStoreTable(study).split('\n')[1]).toMatch(/^arm\s+vectors\s+build s/)
  })

  it('lists the arms that were skipped (a remote store without its endpoint), one line per reason', () => {
    const skipped = (reason: string) => ({ method: 'vector-bench', status: 'succeeded', summary: { skipped: reason } })
    const study = vectorStoreStudy([run(summary('exact', 15, 1)), skipped('weaviate: WEAVIATE_URL is not set'), skipped('weaviate: WEAVIATE_URL is not set'), skipped('milvus: MILVUS_URI is not set')])!
    expect(study.rows).toHaveLength(1)
    expect(study.skipped).toEqual([expect.objectContaining({ reason: 'weaviate: WEAVIATE_URL is not set', arms: 2 }), expect.objectContaining({ reason: 'milvus: MILVUS_URI is not set', arms: 1 })])
    const [weaviate, milvus] = formatVectorStoreTable(study).split('\n').slice(-2)
    expect(weaviate).toMatch(/^Not run: 2 arms \(weaviate: WEAVIATE_URL is not set\); weaviate priced from the table, not run: /)
    expect(milvus).toMatch(/^Not run: 1 arm \(milvus: MILVUS_URI is not set\); milvus priced from the table, not run: no per-query price \(needs a measured throughput\), \$181\.04 a month/)
  })

  it('says so when no arm reaches the floor, and is null without vector arms', () => {
    expect(vectorStoreStudy([run(summary('faiss', 0.1, 0.5))])!.answer.best).toBeNull()
    expect(vectorStoreStudy([{ method: 'lora', status: 'succeeded', summary: {} }])).toBeNull()
  })
})

describe('hybridStudy', () => {
  const latency = { count: 200, meanMs: 4, p50Ms: 3.5, p95Ms: 9, p99Ms: 12, maxMs: 20 }
  const hybrid = (weight: number, accuracy: number): HybridRunSummary => ({
    accuracy, macroF1: accuracy - 0.01, validationAccuracy: 0.9, perLabel: [], confusion: [], latencyP50Ms: latency.p50Ms, latencyP95Ms: latency.p95Ms, latency, throughputPerSecond: 300,
    classifierRunId: 'run_lora', classifierMethod: 'lora', store: 'usearch', metric: 'cosine', indexSettings: {}, encoder: 'base:bankbench-mini@abc', encoderModel: 'x',
    embeddingsKey: 'k', dimension: 256, vectors: 9503, weight, k: 10, tunedWeight: true, tunedK: true, classifierAccuracy: 0.9, classifierValidationAccuracy: 0.88,
    knnAccuracy: 0.53, knnValidationAccuracy: 0.55, buildSeconds: 1, trainSeconds: 10, peakRssBytes: 1,
  })

  it('lists the succeeded hybrid runs, best test accuracy first, beside the classifier alone and kNN alone; null without any', () => {
    expect(hybridStudy([run(summary('exact', 15, 1))])).toBeNull()
    const rows = hybridStudy([
      { method: 'hybrid', status: 'succeeded', summary: hybrid(0, 0.9) },
      { method: 'hybrid', status: 'succeeded', summary: hybrid(0.3, 0.915) },
      { method: 'hybrid', status: 'succeeded', summary: { skipped: 'pinecone: PINECONE_API_KEY is not set' } },
      { method: 'hybrid', status: 'failed', summary: null },
    ])!
    expect(rows.map((row) => [row.arm, row.weight, row.accuracy, row.classifierAccuracy, row.knnAccuracy])).toEqual([
      ['lora + usearch cosine', 0.3, 0.915, 0.9, 0.53],
      ['lora + usearch cosine', 0, 0.9, 0.9, 0.53],
    ])
    const table = formatHybridTable(rows)
    expect(table).toContain('Hybrid classifier (base:bankbench-mini@abc embeddings)')
    expect(table).toMatch(/lora \+ usearch cosine\s+0\.3\s+10\s+91\.50%\s+90\.00%\s+53\.00%/)
  })
})

describe('embeddingStudy', () => {
  const embed = (encoder: string, k1: number, approximate: EmbedRunSummary['approximate']): EmbedRunSummary => ({
    encoder, encoderModel: 'x', embeddingsKey: `embeddings/h/${encoder}.emb`, embeddingsSha256: 'a'.repeat(64), reused: false, encodeSeconds: 12.5, dimension: 256,
    counts: { train: 9003, validation: 1000, test: 3080 }, metric: 'cosine', vectors: 10003, queries: 1000, knnAccuracy: { k1, k5: k1 + 0.01, k10: k1 + 0.02 },
    approximate, validationAccuracy: null,
  })

  it('lists each encoder\'s kNN accuracy and recall@10, best kNN@1 first, and is null without embed runs', () => {
    const rows = embeddingStudy([
      { method: 'embed', status: 'succeeded', summary: embed('tfidf-svd:256:seed0', 0.8, { store: 'usearch', indexSettings: {}, recallAt10: 0.995, knnAccuracy: { k1: 0.8, k5: 0.81, k10: 0.82 }, buildSeconds: 1 }) },
      { method: 'embed', status: 'succeeded', summary: embed('base:bankbench-mini@abc', 0.6, null) },
      { method: 'embed', status: 'failed', summary: null },
    ])!
    expect(rows.map((row) => [row.encoder, row.knnAt1, row.recall])).toEqual([['tfidf-svd:256:seed0', 0.8, { store: 'usearch', recallAt10: 0.995 }], ['base:bankbench-mini@abc', 0.6, null]])
    const table = formatEmbeddingTable(rows).split('\n')
    expect(table[1]).toMatch(/^encoder\s+dim\s+metric\s+kNN@1/)
    expect(table[2]).toContain('0.9950 (usearch)')
    expect(embeddingStudy([{ method: 'lora', status: 'succeeded', summary: {} }])).toBeNull()
  })
})
