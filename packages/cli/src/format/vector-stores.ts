import { embeddingStudy, formatEmbeddingTable, formatHybridTable, formatVectorStoreTable, hybridStudy, vectorStoreStudy } from '@bankbench/core'
import type { Schemas } from '@bankbench/client'

/**
 * The vector-store tables of a benchmark's runs (`GET /v1/benchmarks/{id}/runs`): each embed
 * run's encoder quality (kNN intent accuracy, recall@10); build time, size, latency,
 * throughput, recall@10, kNN intent accuracy and cost per arm, and the answer to "which
 * vector store is best for banking?"; then the hybrid runs beside the classifier alone and
 * kNN alone. Null when the benchmark ran none of them.
 */
export function formatVectorStores(runs: readonly Schemas['RunSummary'][]): string | null {
  const inputs = runs.map((run) => ({ method: run.method, status: run.status, summary: run.summary }))
  const study = vectorStoreStudy(inputs)
  const hybrids = hybridStudy(inputs)
  const embeddings = embeddingStudy(inputs)
  const parts = [
    embeddings && formatEmbeddingTable(embeddings),
    study && `${formatVectorStoreTable(study)}\n\n${study.answer.question} ${study.answer.answer}`,
    hybrids && formatHybridTable(hybrids),
  ].filter((part): part is string => part !== null)
  return parts.length > 0 ? parts.join('\n\n') : null
}
