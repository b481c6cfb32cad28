import { describe, expect, it } from 'vitest'
import type { VectorBenchSummary } from '../contracts/run-summary'
import { formatVectorStoreTable, vectorStoreStudy } from './vector-stores'

function summary(store: string, p50Ms: number, recallAt10: number, indexSettings: Record<string, unknown> = {}): VectorBenchSummary {
  return {
    store, metric: 'cosine', indexSettings, encoder: 'tfidf-svd:256:seed0', encoderModel: 'x', embeddingsKey: 'k', dimension: 256, vectors: 10003, queries: 1000,
    insertSeconds: 1, optimizeSeconds: 1, buildSeconds: 2, indexBytes: 1024, memoryBytes: 0,
    latency: { count: 1000, meanMs: p50Ms, p50Ms, p95Ms: p50Ms * 2, p99Ms: p50Ms * 3, maxMs: p50Ms * 4 }, concurrency: 4, recallAt10,
    knnAccuracy: { k1: 0.8, k5: 0.8, k10: 0.82 }, costPerMillionQueriesUsd: p50Ms / 10, monthlyUsd: 72, validationAccuracy: null, throughputPerSecond: 1000 / p50Ms,
  }
}

const run = (s: VectorBenchSummary) => ({ method: 'vector-bench', status: 'succeeded', summary: s })

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
    expect(study.skipped).toEqual([{ reason: 'weaviate: WEAVIATE_URL is not set', arms: 2 }, { reason: 'milvus: MILVUS_URI is not set', arms: 1 }])
    expect(formatVectorStoreTable(study).split('\n').slice(-2)).toEqual(['Not run: 2 arms (weaviate: WEAVIATE_URL is not set)', 'Not run: 1 arm (milvus: MILVUS_URI is not set)'])
  })

  it('says so when no arm reaches the floor, and is null without vector arms', () => {
    expect(vectorStoreStudy([run(summary('faiss', 0.1, 0.5))])!.answer.best).toBeNull()
    expect(vectorStoreStudy([{ method: 'lora', status: 'succeeded', summary: {} }])).toBeNull()
  })
})
