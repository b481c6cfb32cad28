import { formatVectorStoreTable, vectorStoreStudy } from '@bankbench/core'
import type { Schemas } from '@bankbench/client'

/**
 * The vector-store table of a benchmark's runs (`GET /v1/benchmarks/{id}/runs`): build
 * time, size, latency, throughput, recall@10, kNN intent accuracy and cost per arm, and
 * the answer to "which vector store is best for banking?". Null when the benchmark ran
 * no vector-bench arm.
 */
export function formatVectorStores(runs: readonly Schemas['RunSummary'][]): string | null {
  const study = vectorStoreStudy(runs.map((run) => ({ method: run.method, status: run.status, summary: run.summary })))
  return study && `${formatVectorStoreTable(study)}\n\n${study.answer.question} ${study.answer.answer}`
}
