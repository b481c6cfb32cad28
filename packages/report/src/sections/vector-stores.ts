import { embeddingStudy, FARGATE_PRICE_NOTE, HYBRID_RULE_NOTE, MANAGED_PRICE_NOTE, hybridStudy, skippedLines, vectorStoreStudy, type EmbeddingRow, type HybridRow, type VectorStoreRow } from '@bankbench/core'
import { html } from '../html/html'
import { section, table, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

/**
 * Which vector store for banking (the `vector-bench` runs): each arm's build time,
 * size, latency percentiles, throughput, recall@10 against exact search, kNN intent
 * accuracy and cost, the arms on the latency/recall Pareto front, and the answer.
 * Absent when the benchmark ran no vector arm.
 */
export function vectorStoresSection(data: ReportData): ReportSection | null {
  const study = vectorStoreStudy(data.runs.map((run) => ({ method: run.method, status: run.status, summary: run.summary })))
  if (!study) return null
  const first = study.rows[0]!
  return section('vector-stores', 'Vector stores: latency, recall and cost',
    html`<p><strong>${study.answer.question}</strong> ${study.answer.answer}</p>`,
    table<VectorStoreRow>([
      { title: 'arm', cell: (row) => (row.onFront ? html`<strong>${row.arm}</strong>` : row.arm) },
      { title: 'build s', cell: (row) => row.buildSeconds.toFixed(2), numeric: true },
      { title: 'index MiB', cell: (row) => (row.indexBytes === null ? 'n/a' : (row.indexBytes / 2 ** 20).toFixed(1)), numeric: true },
      { title: 'p50 ms', cell: (row) => row.p50Ms.toFixed(3), numeric: true },
      { title: 'p95 ms', cell: (row) => row.p95Ms.toFixed(3), numeric: true },
      { title: 'p99 ms', cell: (row) => row.p99Ms.toFixed(3), numeric: true },
      { title: 'queries/s', cell: (row) => row.throughputQps.toFixed(0), numeric: true },
      { title: 'recall@10', cell: (row) => row.recallAt10.toFixed(4), numeric: true },
      { title: 'kNN@1', cell: (row) => percent(row.knnAt1), numeric: true },
      { title: 'kNN@10', cell: (row) => percent(row.knnAt10), numeric: true },
      { title: '$ / 1M queries', cell: (row) => row.costPerMillionQueriesUsd.toFixed(3), numeric: true },
      { title: 'priced', cell: (row) => (row.pricing === 'managed (table)' ? 'managed (table)' : 'self-hosted (Fargate)') },
    ], study.rows),
    html`<p class="note">${first.vectors} vectors (${first.encoder} embeddings), ${first.queries} test queries per arm, k = 10. Arms in bold are on the latency/recall Pareto front (no other arm is as fast and as exact). Recall@10 is against exact search, a neighbour tied with the 10th counted as found; kNN@k is the share of test queries whose k nearest training queries vote for the right intent. Latency is per query at concurrency 1; queries/s at the run's concurrency. ${FARGATE_PRICE_NOTE} ${MANAGED_PRICE_NOTE} The answer is the fastest arm at recall@10 ≥ ${study.minRecall}.</p>`,
    study.skipped.length > 0 ? html`<p class="note">${skippedLines(study).join('. ')}.</p>` : null)
}

/**
 * The embeddings every store searched (the `embed` runs): each encoder's own quality,
 * kNN intent accuracy by exact search, whatever the store, and how much of it an
 * approximate store keeps (recall@10). Absent without embed runs.
 */
export function embeddingsSection(data: ReportData): ReportSection | null {
  const rows = embeddingStudy(data.runs.map((run) => ({ method: run.method, status: run.status, summary: run.summary })))
  if (!rows) return null
  return section('embeddings', 'Embeddings: what the stores search',
    table<EmbeddingRow>([
      { title: 'encoder', cell: (row) => row.encoder },
      { title: 'dimension', cell: (row) => String(row.dimension), numeric: true },
      { title: 'metric', cell: (row) => row.metric },
      { title: 'kNN@1', cell: (row) => percent(row.knnAt1), numeric: true },
      { title: 'kNN@5', cell: (row) => percent(row.knnAt5), numeric: true },
      { title: 'kNN@10', cell: (row) => percent(row.knnAt10), numeric: true },
      { title: 'recall@10', cell: (row) => (row.recall ? `${row.recall.recallAt10.toFixed(4)} (${row.recall.store})` : 'not measured'), numeric: true },
      { title: 'encode s', cell: (row) => row.encodeSeconds.toFixed(1), numeric: true },
    ], rows),
    html`<p class="note">kNN@k: the share of test queries whose k nearest training and validation queries (exact search) vote for the right intent, the encoder's own quality whatever the store. Recall@10: an approximate store's neighbours against exact search on the same vectors. Each set is encoded once per dataset and encoder and stored; every store arm reads it.</p>`)
}

/**
 * The hybrid runs (issue 13): each beside the classifier run it mixes and kNN alone on the
 * same test split, with the weight and k validation chose. Absent without hybrid runs.
 */
export function hybridSection(data: ReportData): ReportSection | null {
  const rows = hybridStudy(data.runs.map((run) => ({ method: run.method, status: run.status, summary: run.summary })))
  if (!rows) return null
  return section('hybrid', 'Hybrid: the classifier with vector-store votes',
    table<HybridRow>([
      { title: 'hybrid', cell: (row) => row.arm },
      { title: 'weight', cell: (row) => String(row.weight), numeric: true },
      { title: 'k', cell: (row) => String(row.k), numeric: true },
      { title: 'test accuracy', cell: (row) => (row.accuracy > row.classifierAccuracy ? html`<strong>${percent(row.accuracy)}</strong>` : percent(row.accuracy)), numeric: true },
      { title: 'classifier alone', cell: (row) => percent(row.classifierAccuracy), numeric: true },
      { title: 'kNN alone', cell: (row) => percent(row.knnAccuracy), numeric: true },
      { title: 'macro-F1', cell: (row) => row.macroF1.toFixed(4), numeric: true },
      { title: 'validation', cell: (row) => percent(row.validationAccuracy), numeric: true },
      { title: 'p50 ms', cell: (row) => row.p50Ms.toFixed(2), numeric: true },
      { title: 'p95 ms', cell: (row) => row.p95Ms.toFixed(2), numeric: true },
    ], rows),
    html`<p class="note">${HYBRID_RULE_NOTE} Bold: the hybrid beats the classifier alone on test. Embeddings: ${rows[0]!.encoder}.</p>`)
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`
