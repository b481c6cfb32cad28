import type { EmbedRunSummary, HybridRunSummary, VectorBenchSummary } from '../contracts/run-summary'
import { isManagedStore, MANAGED_QUERIES_PER_MONTH, managedStoreCost } from './managed-prices'

/** A run as the study reads it (`GET /v1/benchmarks/{id}/runs` items, or the runs table). */
export interface VectorRunInput {
  method: string
  status: string
  summary: unknown
}

export interface VectorStoreRow {
  /** `faiss HNSW32 l2 efSearch=64`: the store, its index kind, metric and knobs. */
  arm: string
  store: string
  encoder: string
  vectors: number
  queries: number
  buildSeconds: number
  indexBytes: number | null
  p50Ms: number
  p95Ms: number
  p99Ms: number
  throughputQps: number
  recallAt10: number
  knnAt1: number
  knnAt10: number
  costPerMillionQueriesUsd: number
  /** How the cost is priced: a remote store from the managed price table, a local one as self-hosted on Fargate (summaries written before this field: self-hosted). */
  pricing: 'managed (table)' | 'self-hosted (Fargate)'
  /** On the latency / recall Pareto front: no other arm is at least as fast and as exact, and better in one. */
  onFront: boolean
}

/** Vector arms that ran without measuring (a remote store whose endpoint is not set), one entry per reason. */
export interface SkippedVectorArms {
  reason: string
  arms: number
  /** A skipped remote store priced from the managed price table at the measured arms' set size and dimension: priced from the table, not run. */
  predicted?: PredictedManagedCost
}

export interface PredictedManagedCost {
  store: string
  vectors: number
  dimension: number
  perMillionQueriesUsd: number | null
  monthlyUsd: number | null
  queriesPerMonth: number
  formula: string
}

export interface VectorStoreStudy {
  rows: VectorStoreRow[]
  skipped: SkippedVectorArms[]
  /** The recall@10 an arm needs to count as answering like exact search. */
  minRecall: number
  answer: { question: string; answer: string; best: string | null }
}

/** How the self-hosted cost column is priced (the figures are the vector-bench job's, `selfHostedCost` in @bankbench/vector-stores). */
export const FARGATE_PRICE_NOTE = 'Cost: a self-hosted store on AWS Fargate, 2 vCPU and 8 GB in us-east-1 as the indexer job ($0.1165 an hour), over the queries it answers in an hour at the measured throughput.'

/** How a remote (managed) store's cost is priced. */
export const MANAGED_PRICE_NOTE = `Remote stores (Pinecone, Weaviate, Milvus) are priced as their managed services from the documented price table (MANAGED_PRICES in @bankbench/core, sources and dates in containers/indexer/README.md): Pinecone serverless by read units, Weaviate Cloud serverless by stored dimensions, Zilliz Cloud Dedicated by CU-hours; their monthly figure is at ${MANAGED_QUERIES_PER_MONTH / 1e6}M queries a month with the plan's minimum.`

/** The study's recall floor: an index that misses more than 1 in 20 of the true neighbours changes kNN votes. */
export const VECTOR_MIN_RECALL = 0.95

/**
 * The vector-store phase's table and its answer to "which vector store is best for
 * banking?": among the arms that reach recall@10 >= `minRecall` against exact search,
 * the lowest median query latency (then the lower cost). Null when the benchmark ran no
 * vector-bench arm.
 */
export function vectorStoreStudy(runs: readonly VectorRunInput[], minRecall = VECTOR_MIN_RECALL): VectorStoreStudy | null {
  const vectorRuns = runs.filter((run) => run.method === 'vector-bench' && run.status === 'succeeded')
  const summaries = vectorRuns.filter((run) => isVectorSummary(run.summary)).map((run) => run.summary as VectorBenchSummary)
  if (summaries.length === 0) return null
  const reasons = new Map<string, number>()
  for (const run of vectorRuns) {
    const reason = (run.summary as { skipped?: unknown } | null)?.skipped
    if (typeof reason === 'string') reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
  }
  const setSize = summaries.reduce((smallest, summary) => (summary.vectors < smallest.vectors ? summary : smallest))
  const skipped = [...reasons].map(([reason, arms]): SkippedVectorArms => {
    const store = reason.split(':')[0]!.trim()
    if (!isManagedStore(store)) return { reason, arms }
    const estimate = managedStoreCost({ store, vectors: setSize.vectors, dimension: setSize.dimension })
    return { reason, arms, predicted: { store, vectors: setSize.vectors, dimension: setSize.dimension, perMillionQueriesUsd: estimate.perMillionQueriesUsd, monthlyUsd: estimate.monthlyUsd, queriesPerMonth: estimate.queriesPerMonth, formula: estimate.formula } }
  })
  const rows = summaries.map((summary): VectorStoreRow => ({
    arm: describeVectorArm(summary), store: summary.store, encoder: summary.encoder, vectors: summary.vectors, queries: summary.queries,
    buildSeconds: summary.buildSeconds, indexBytes: summary.indexBytes, p50Ms: summary.latency.p50Ms, p95Ms: summary.latency.p95Ms, p99Ms: summary.latency.p99Ms,
    throughputQps: summary.throughputPerSecond ?? 0, recallAt10: summary.recallAt10, knnAt1: summary.knnAccuracy.k1, knnAt10: summary.knnAccuracy.k10,
    costPerMillionQueriesUsd: summary.costPerMillionQueriesUsd, pricing: summary.pricing ?? 'self-hosted (Fargate)', onFront: false,
  }))
  for (const row of rows) {
    row.onFront = !rows.some((other) => other !== row && other.p50Ms <= row.p50Ms && other.recallAt10 >= row.recallAt10 && (other.p50Ms < row.p50Ms || other.recallAt10 > row.recallAt10))
  }
  rows.sort((left, right) => left.p50Ms - right.p50Ms)
  const question = 'Which vector store is best for banking (latency, accuracy, cost)?'
  const eligible = rows.filter((row) => row.recallAt10 >= minRecall).sort((left, right) => left.p50Ms - right.p50Ms || left.costPerMillionQueriesUsd - right.costPerMillionQueriesUsd)
  const best = eligible[0]
  if (!best) return { rows, skipped, minRecall, answer: { question, best: null, answer: `No arm reached recall@10 >= ${minRecall}: none answers like exact search.` } }
  const exact = rows.find((row) => row.store === 'exact')
  const answer = `${best.arm}: the fastest arm at recall@10 >= ${minRecall} (p50 ${best.p50Ms.toFixed(3)} ms, recall@10 ${best.recallAt10.toFixed(3)}, `
    + `kNN@10 intent accuracy ${(best.knnAt10 * 100).toFixed(1)}%, $${best.costPerMillionQueriesUsd.toFixed(3)} per million queries ${best.pricing === 'managed (table)' ? 'managed (price table)' : 'self-hosted'}, built in ${best.buildSeconds.toFixed(1)} s)`
    + (exact ? `; exact search answers in ${exact.p50Ms.toFixed(3)} ms.` : '.')
  return { rows, skipped, minRecall, answer: { question, best: best.arm, answer } }
}

export function formatVectorStoreTable(study: VectorStoreStudy): string {
  const header = ['arm', 'vectors', 'build s', 'index MiB', 'p50 ms', 'p95 ms', 'p99 ms', 'qps', 'recall@10', 'kNN@1', 'kNN@10', '$/1M q', 'priced', 'front']
  const rows = study.rows.map((row) => [
    row.arm, String(row.vectors), row.buildSeconds.toFixed(2), row.indexBytes === null ? 'n/a' : (row.indexBytes / 2 ** 20).toFixed(1),
    row.p50Ms.toFixed(3), row.p95Ms.toFixed(3), row.p99Ms.toFixed(3), row.throughputQps.toFixed(0), row.recallAt10.toFixed(4),
    `${(row.knnAt1 * 100).toFixed(1)}%`, `${(row.knnAt10 * 100).toFixed(1)}%`, row.costPerMillionQueriesUsd.toFixed(3), row.pricing === 'managed (table)' ? 'managed' : 'Fargate', row.onFront ? '*' : '',
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column]!.length)))
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd()
  return [`Vector stores (${study.rows[0]?.encoder ?? ''} embeddings; * = on the latency/recall Pareto front)`, line(header), ...rows.map(line), ...skippedLines(study)].join('\n')
}

/**
 * `Not run: 4 arms (weaviate: WEAVIATE_URL is not set: …)`: the skipped arms, one line per reason;
 * a remote store's line adds what the managed price table predicts at the measured arms' set size,
 * labelled as priced from the table, not run.
 */
export function skippedLines(study: Pick<VectorStoreStudy, 'skipped'>): string[] {
  return study.skipped.map((entry) => `Not run: ${entry.arms} arm${entry.arms === 1 ? '' : 's'} (${entry.reason})${entry.predicted ? `; ${predictedLine(entry.predicted)}` : ''}`)
}

/** `pinecone priced from the table, not run: $4.000 per 1M queries, $50.00 a month at 1M queries a month (10003 x 256)`. */
export function predictedLine(predicted: PredictedManagedCost): string {
  const perMillion = predicted.perMillionQueriesUsd === null ? 'no per-query price (needs a measured throughput)' : `$${predicted.perMillionQueriesUsd.toFixed(3)} per 1M queries`
  const monthly = predicted.monthlyUsd === null ? 'no monthly price' : `$${predicted.monthlyUsd.toFixed(2)} a month at ${predicted.queriesPerMonth / 1e6}M queries a month`
  return `${predicted.store} priced from the table, not run: ${perMillion}, ${monthly} (${predicted.vectors} vectors x ${predicted.dimension} dims; ${predicted.formula})`
}

/** `faiss HNSW32 l2 efSearch=64`. */
export function describeVectorArm(summary: Pick<VectorBenchSummary, 'store' | 'metric' | 'indexSettings'>): string {
  const { factory, index, ...rest } = summary.indexSettings
  const kind = factory ?? index ?? ''
  const knobs = Object.entries(rest).map(([key, value]) => `${key}=${String(value)}`).join(' ')
  return [summary.store, String(kind), summary.metric, knobs].filter((part) => part !== '').join(' ')
}

function isVectorSummary(summary: unknown): summary is VectorBenchSummary {
  return typeof summary === 'object' && summary !== null && 'recallAt10' in summary && 'latency' in summary && 'store' in summary
}

/** One hybrid run beside what it mixes: the classifier run alone and kNN alone, on the same test split. */
export interface HybridRow {
  /** `tfidf-logreg + faiss HNSW32 cosine efSearch=64`. */
  arm: string
  classifierMethod: string
  classifierRunId: string
  encoder: string
  weight: number
  k: number
  /** Whether weight and k were chosen on validation. */
  tuned: boolean
  accuracy: number
  macroF1: number
  classifierAccuracy: number
  knnAccuracy: number
  validationAccuracy: number
  classifierValidationAccuracy: number
  /** One message end to end: the classifier, the encoder and the store. */
  p50Ms: number
  p95Ms: number
}

/** The benchmark's succeeded hybrid runs, best test accuracy first; null when it ran none. */
export function hybridStudy(runs: readonly VectorRunInput[]): HybridRow[] | null {
  const summaries = runs.filter((run) => run.method === 'hybrid' && run.status === 'succeeded' && isHybridSummary(run.summary)).map((run) => run.summary as HybridRunSummary)
  if (summaries.length === 0) return null
  return summaries.map((summary): HybridRow => ({
    arm: `${summary.classifierMethod} + ${describeVectorArm(summary)}`, classifierMethod: summary.classifierMethod, classifierRunId: summary.classifierRunId,
    encoder: summary.encoder, weight: summary.weight, k: summary.k, tuned: summary.tunedWeight || summary.tunedK,
    accuracy: summary.accuracy, macroF1: summary.macroF1, classifierAccuracy: summary.classifierAccuracy, knnAccuracy: summary.knnAccuracy,
    validationAccuracy: summary.validationAccuracy, classifierValidationAccuracy: summary.classifierValidationAccuracy,
    p50Ms: summary.latencyP50Ms, p95Ms: summary.latencyP95Ms,
  })).sort((left, right) => right.accuracy - left.accuracy)
}

/** The rule, for the report and the CLI. */
export const HYBRID_RULE_NOTE = 'Hybrid: p(intent) = (1 - weight) x the classifier\'s probability + weight x the share of the k nearest training messages '
  + 'labelled with it (in the store, over the encoder\'s embeddings); weight and k chosen on validation (weight 0, the classifier alone, wins ties), '
  + 'test scored once. Latency is one message end to end: the classifier, the encoder and the store.'

export function formatHybridTable(rows: readonly HybridRow[]): string {
  const pct = (value: number) => `${(value * 100).toFixed(2)}%`
  const header = ['hybrid', 'weight', 'k', 'test acc', 'classifier alone', 'kNN alone', 'macro-F1', 'val acc', 'p50 ms', 'p95 ms']
  const cells = rows.map((row) => [
    row.arm, String(row.weight), String(row.k), pct(row.accuracy), pct(row.classifierAccuracy), pct(row.knnAccuracy), row.macroF1.toFixed(4),
    pct(row.validationAccuracy), row.p50Ms.toFixed(2), row.p95Ms.toFixed(2),
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)))
  const line = (values: string[]) => values.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd()
  return [`Hybrid classifier (${rows[0]?.encoder ?? ''} embeddings)`, line(header), ...cells.map(line)].join('\n')
}

function isHybridSummary(summary: unknown): summary is HybridRunSummary {
  return typeof summary === 'object' && summary !== null && 'classifierRunId' in summary && 'weight' in summary && 'accuracy' in summary
}

/** One encoder's embedding quality (an `embed` run): kNN intent accuracy by exact search, and an approximate store's recall@10. */
export interface EmbeddingRow {
  encoder: string
  model: string
  dimension: number
  metric: string
  knnAt1: number
  knnAt5: number
  knnAt10: number
  /** `usearch 0.9950`: the approximate store and its recall@10 against exact search; null when not measured. */
  recall: { store: string; recallAt10: number } | null
  encodeSeconds: number
}

/** The benchmark's succeeded embed runs, best kNN@1 first; null when it ran none. */
export function embeddingStudy(runs: readonly VectorRunInput[]): EmbeddingRow[] | null {
  const summaries = runs.filter((run) => run.method === 'embed' && run.status === 'succeeded' && isEmbedSummary(run.summary)).map((run) => run.summary as EmbedRunSummary)
  if (summaries.length === 0) return null
  return summaries.map((summary): EmbeddingRow => ({
    encoder: summary.encoder, model: summary.encoderModel, dimension: summary.dimension, metric: summary.metric,
    knnAt1: summary.knnAccuracy.k1, knnAt5: summary.knnAccuracy.k5, knnAt10: summary.knnAccuracy.k10,
    recall: summary.approximate && { store: summary.approximate.store, recallAt10: summary.approximate.recallAt10 }, encodeSeconds: summary.encodeSeconds,
  })).sort((left, right) => right.knnAt1 - left.knnAt1)
}

export function formatEmbeddingTable(rows: readonly EmbeddingRow[]): string {
  const pct = (value: number) => `${(value * 100).toFixed(2)}%`
  const header = ['encoder', 'dim', 'metric', 'kNN@1', 'kNN@5', 'kNN@10', 'recall@10', 'encode s']
  const cells = rows.map((row) => [
    row.encoder, String(row.dimension), row.metric, pct(row.knnAt1), pct(row.knnAt5), pct(row.knnAt10),
    row.recall ? `${row.recall.recallAt10.toFixed(4)} (${row.recall.store})` : '-', row.encodeSeconds.toFixed(1),
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)))
  const line = (values: string[]) => values.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd()
  return ['Embeddings (kNN intent accuracy of the test queries by exact search; recall@10 of an approximate store against it)', line(header), ...cells.map(line)].join('\n')
}

function isEmbedSummary(summary: unknown): summary is EmbedRunSummary {
  return typeof summary === 'object' && summary !== null && 'embeddingsKey' in summary && 'knnAccuracy' in summary && 'approximate' in summary
}
