import { parseRunConfig, type EmbedRunSummary, type HybridRunSummary, type RunRow, type VectorBenchSummary } from '@bankbench/core'
import { describe, expect, it } from 'vitest'
import { sampleReportData } from '../testing/sample-report'
import { embeddingsSection, hybridSection, vectorStoresSection } from './vector-stores'

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
    expect(vectorStoresSection(data)!.body.value).toContain('Not run: 2 arms (weaviate: WEAVIATE_URL is not set); weaviate priced from the table, not run: $0.000 per 1M queries, $25.00 a month')
  })
})

function hybridRun(ordinal: number, weight: number, accuracy: number, classifierAccuracy: number): RunRow {
  const latency = { count: 200, meanMs: 4, p50Ms: 3.5, p95Ms: 9, p99Ms: 12, maxMs: 20 }
  const summary: HybridRunSummary = {
    accuracy, macroF1: accuracy - 0.01, validationAccuracy: 0.9, perLabel: [], confusion: [], latencyP50Ms: latency.p50Ms, latencyP95Ms: latency.p95Ms, latency, throughputPerSecond: 300,
    classifierRunId: 'run_tfidf', classifierMethod: 'tfidf-logreg', store: 'faiss', metric: 'cosine', indexSettings: { factory: 'HNSW32', efSearch: 64 },
    encoder: 'base:bankbench-mini@abc', encoderModel: 'x', embeddingsKey: 'embeddings/h/x.emb', dimension: 256, vectors: 8002, weight, k: 10, tunedWeight: true, tunedK: true,
    classifierAccuracy, classifierValidationAccuracy: 0.88, knnAccuracy: 0.8, knnValidationAccuracy: 0.79, buildSeconds: 1.5, trainSeconds: 20, peakRssBytes: 1,
  }
  const base = sampleReportData().runs[0]!
  return {
    ...base, id: `run_hybrid${ordinal}`, ordinal: 300 + ordinal, method: 'hybrid', seed: 42, summary,
    config: parseRunConfig({ method: 'hybrid', hyperparameters: { classifier: 'tfidf-logreg', store: 'faiss' }, seed: 42, epochs: 1, trainSubset: null, testSet: 'official', arm: 0 }),
  }
}

describe('the hybrid section', () => {
  it('is absent without hybrid runs', () => {
    expect(hybridSection(sampleReportData())).toBeNull()
  })

  it('puts each hybrid beside the classifier alone and kNN alone, with the chosen weight and k, bold where it beats the classifier', () => {
    const data = sampleReportData()
    data.runs.push(hybridRun(0, 0.3, 0.915, 0.9), hybridRun(1, 0, 0.9, 0.9))
    const section = hybridSection(data)!
    const markup = section.body.value
    expect(section.id).toBe('hybrid')
    expect(markup).toContain('tfidf-logreg + faiss HNSW32 cosine efSearch=64')
    expect(markup).toContain('<strong>91.5%</strong>')
    expect(markup).not.toContain('<strong>90.0%</strong>')
    expect(markup).toContain('80.0%')
    expect(markup).toContain('weight and k chosen on validation')
  })
})

describe('the embeddings section', () => {
  it('is absent without embed runs, and tabulates each encoder\'s kNN accuracy and an approximate store\'s recall', () => {
    expect(embeddingsSection(sampleReportData())).toBeNull()
    const knn = (k1: number) => ({ k1, k5: k1 + 0.01, k10: k1 + 0.02 })
    const embedRun = (ordinal: number, encoder: string, k1: number, approximate: EmbedRunSummary['approximate']): RunRow => {
      const summary: EmbedRunSummary = {
        encoder, encoderModel: 'x', embeddingsKey: `embeddings/h/${ordinal}.emb`, embeddingsSha256: 'a'.repeat(64), reused: false, encodeSeconds: 44.5, dimension: 256,
        counts: { train: 9503, validation: 500, test: 3080 }, metric: 'cosine', vectors: 10003, queries: 3080, knnAccuracy: knn(k1), approximate, validationAccuracy: null,
      } as EmbedRunSummary
      const base = sampleReportData().runs[0]!
      return {
        ...base, id: `run_embed${ordinal}`, ordinal: 300 + ordinal, method: 'embed', seed: 42, summary,
        config: parseRunConfig({ method: 'embed', hyperparameters: { encoder }, seed: 42, epochs: 1, trainSubset: null, testSet: 'official', arm: 0 }),
      }
    }
    const data = sampleReportData()
    data.runs.push(
      embedRun(0, 'tfidf-svd', 0.78, null),
      embedRun(1, 'base', 0.53, { store: 'usearch', indexSettings: {}, recallAt10: 0.999, knnAccuracy: knn(0.53), buildSeconds: 3 }),
    )
    const markup = embeddingsSection(data)!.body.value
    expect(markup).toMatch(/<td[^>]*>tfidf-svd<\/td>.*<td class="num">78\.0%<\/td><td class="num">79\.0%<\/td><td class="num">80\.0%<\/td><td class="num">not measured<\/td>/)
    expect(markup).toMatch(/<td[^>]*>base<\/td>.*<td class="num">53\.0%<\/td>.*<td class="num">0\.9990 \(usearch\)<\/td>/)
    expect(markup.indexOf('tfidf-svd')).toBeLessThan(markup.indexOf('>base<')) // best kNN@1 first
  })
})
