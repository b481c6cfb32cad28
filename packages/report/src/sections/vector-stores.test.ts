import { parseRunConfig, type RunRow, type VectorBenchSummary } from '@bankbench/core'
import { describe, expect, it } from 'vitest'
import { sampleReportData } from '../testing/sample-report'
import { vectorStoresSection } from './vector-stores'

function vectorRun(ordinal: number, store: string, p50Ms: number, recallAt10: number, indexSettings: Record<string, unknown>): RunRow {
  const summary: VectorBenchSummary = {
    store, metric: 'cosine', indexSettings, encoder: 'base:bankbench-mini@abc', encoderModel: 'x', embeddingsKey: 'embeddings/h/x.emb', dimension: 256,
    vectors: 10003, queries: 1000, insertSeconds: 1, optimizeSeconds: 2, buildSeconds: 3, indexBytes: 10 * 2 ** 20, memoryBytes: 0,
    latency: { count: 1000, meanMs: p50Ms, p50Ms, p95Ms: p50Ms * 2, p99Ms: p50Ms * 3, maxMs: p50Ms * 5 }, concurrency: 4, recallAt10,
    knnAccuracy: { k1: 0.78, k5: 0.8, k10: 0.82 }, costPerMillionQueriesUsd: 0.01, monthlyUsd: 72, validationAccuracy: null, throughputPerSecond: 1000 / p50Ms,
  }
  const base = sampleReportData().runs[0]!
  return {
    ...base, id: `run_vector${ordinal}`, ordinal: 200 + ordinal, method: 'vector-bench', seed: 42, summary,
    config: parseRunConfig({ method: 'vector-bench', hyperparameters: { store, index_settings: indexSettings }, seed: 42, epochs: 1, trainSubset: null, testSet: 'official', arm: 0 }),
  }
}

describe('the vector-stores section', () => {
  it('is absent from a benchmark without vector runs', () => {
    expect(vectorStoresSection(sampleReportData())).toBeNull()
  })

  it('tabulates every arm, marks the Pareto front and answers which store is best', () => {
    const data = sampleReportData()
    data.runs.push(
      vectorRun(0, 'exact', 15, 1, {}),
      vectorRun(1, 'usearch', 0.12, 0.998, { efSearch: 64 }),
      vectorRun(2, 'chroma', 4.4, 0.9995, {}),
      vectorRun(3, 'lancedb', 10, 0.92, { index: 'ivf_flat' }),
    )
    const section = vectorStoresSection(data)!
    const markup = section.body.value
    expect(section.id).toBe('vector-stores')
    expect(markup).toContain('Which vector store is best for banking')
    expect(markup).toMatch(/usearch cosine efSearch=64: the fastest arm at recall@10 &gt;= 0.95|usearch cosine efSearch=64: the fastest arm at recall@10 >= 0.95/)
    expect(markup).toContain('<strong>usearch cosine efSearch=64</strong>')
    expect(markup).toContain('<strong>exact cosine</strong>') // the only arm at recall 1
    expect(markup).not.toContain('<strong>lancedb ivf_flat cosine</strong>') // Chroma is faster and more exact
    expect(markup).toContain('10003 vectors')
    expect(markup).not.toContain('Not run')
  })

  it('says which arms were not run and why (a remote store without its endpoint)', () => {
    const data = sampleReportData()
    const skipped = { ...vectorRun(1, 'weaviate', 1, 1, {}), summary: { skipped: 'weaviate: WEAVIATE_URL is not set' } }
    data.runs.push(vectorRun(0, 'exact', 15, 1, {}), skipped, { ...skipped, id: 'run_vector9', ordinal: 209 })
    expect(vectorStoresSection(data)!.body.value).toContain('Not run: 2 arms (weaviate: WEAVIATE_URL is not set).')
  })
})
