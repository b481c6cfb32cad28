import { readFileSync } from 'node:fs'
import { latencySummary, type LatencySummary } from '@bankbench/metrics'
import { knnAccuracy } from '../quality'
import type { Match, Metric, VectorIndex, VectorRecord } from '../types'
import { armCost, type ArmCost } from './managed-prices'
import { openStore, unavailable, type StoreName } from './stores'

/** One vector arm: a store, a metric and the store's index settings. */
export interface VectorArm {
  store: StoreName
  metric: Metric
  settings: Record<string, unknown>
}

export interface VectorBenchInput {
  /** What is indexed (Banking77's training queries, or the 100K set built from them). */
  records: readonly VectorRecord[]
  /** The test queries, with their intent for top-k accuracy. */
  queries: readonly { vector: Float32Array; label: string }[]
  /** Exact search's top `k` for each query, under the arm's metric (`exactTopK`). */
  exact: readonly (readonly Match[])[]
  k: number
  /** Queries in flight at once for the throughput figure. */
  concurrency: number
  /** Queries run before timing (JIT, caches, connections). */
  warmup: number
  upsertBatch?: number
}

export interface VectorArmResult {
  arm: VectorArm
  count: number
  dimension: number
  /** Insert and optimize (index training or building): the index build time. */
  insertSeconds: number
  optimizeSeconds: number
  buildSeconds: number
  /** The index's size as the store reports it; null where it reports none. */
  indexBytes: number | null
  /** Resident memory the build added: this process's RSS for in-process stores, the local server's RSS for Chroma; 0 for a remote store (its machine is not this one). */
  memoryBytes: number
  /** Per query at concurrency 1. */
  latency: LatencySummary
  /** Queries per second with `concurrency` in flight. */
  throughputQps: number
  concurrency: number
  recallAtK: number
  k: number
  /** kNN intent accuracy of the test queries at k = 1, 5, 10. */
  knnAccuracy: Record<number, number>
  /** A remote store priced as its managed service from the documented table (`managedStoreCost`), a local one as self-hosted on the indexer's Fargate size over the measured throughput. */
  cost: ArmCost
}

/**
 * Builds one arm's index from the records, then measures it: every query once at
 * concurrency 1 (latency, recall against exact search, kNN intent accuracy), then all
 * queries again with `concurrency` in flight (throughput). The store is closed after,
 * whatever happens.
 */
export async function runVectorArm(arm: VectorArm, input: VectorBenchInput, name = 'bench'): Promise<VectorArmResult> {
  const why = unavailable(arm.store)
  if (why) throw new Error(`${arm.store} cannot run here: ${why}`)
  const dimension = input.records[0]?.vector.length ?? 0
  const opened = await openStore(arm.store)
  try {
    const rssBefore = residentBytes(opened.serverPid)
    const index = await opened.store.createIndex({ name, dimension, metric: arm.metric, settings: arm.settings })
    const insertStart = performance.now()
    const batch = input.upsertBatch ?? 1000
    for (let start = 0; start < input.records.length; start += batch) await index.upsert(input.records.slice(start, start + batch))
    const insertSeconds = (performance.now() - insertStart) / 1000
    const optimizeStart = performance.now()
    await index.optimize()
    const optimizeSeconds = (performance.now() - optimizeStart) / 1000
    const stats = await index.stats()
    const memoryBytes = opened.remote ? 0 : Math.max(0, residentBytes(opened.serverPid) - rssBefore)

    for (let i = 0; i < Math.min(input.warmup, input.queries.length); i++) await index.query(input.queries[i]!.vector, input.k)
    const samples: number[] = []
    const results: Match[][] = []
    for (const query of input.queries) {
      const start = performance.now()
      results.push(await index.query(query.vector, input.k))
      samples.push(performance.now() - start)
    }
    const throughputQps = await throughput(index, input)
    return {
      arm, count: stats.count, dimension, insertSeconds, optimizeSeconds, buildSeconds: insertSeconds + optimizeSeconds,
      indexBytes: stats.bytes, memoryBytes, latency: latencySummary(samples), throughputQps, concurrency: input.concurrency,
      recallAtK: tieAwareRecall(results, input.exact, input.k), k: input.k,
      knnAccuracy: knnAccuracy(input.queries.map((query, i) => ({ label: query.label, matches: results[i]! })), [1, 5, 10]),
      cost: armCost(arm.store, { vectors: input.records.length, dimension, queriesPerSecond: throughputQps, metadataBytes: averageMetadataBytes(input.records) }),
    }
  } finally {
    await opened.store.close()
  }
}

/** A record's id and its metadata as the remote adapters send them (`{ intent }`), averaged: what Pinecone counts in a record's size beside its vector. */
function averageMetadataBytes(records: readonly VectorRecord[]): number {
  if (records.length === 0) return 0
  let bytes = 0
  for (const record of records) bytes += Buffer.byteLength(record.id) + Buffer.byteLength(JSON.stringify({ intent: record.label }))
  return bytes / records.length
}

async function throughput(index: VectorIndex, input: VectorBenchInput): Promise<number> {
  let next = 0
  const start = performance.now()
  const worker = async () => {
    while (next < input.queries.length) await index.query(input.queries[next++]!.vector, input.k)
  }
  await Promise.all(Array.from({ length: Math.max(1, input.concurrency) }, worker))
  return input.queries.length / ((performance.now() - start) / 1000)
}

/**
 * Recall@k that counts ties as found: a returned neighbour is correct when it is one of
 * exact search's k, or scores at least the k-th exact score (less a float tolerance):
 * two vectors at the same distance from the query are equally right, and float32
 * BLAS and a float64 loop may order them differently.
 */
export function tieAwareRecall(results: readonly (readonly Match[])[], exact: readonly (readonly Match[])[], k: number): number {
  if (exact.length === 0) return 0
  let sum = 0
  results.forEach((matches, i) => {
    const truth = exact[i]!.slice(0, k)
    if (truth.length === 0) return
    const ids = new Set(truth.map((match) => match.id))
    const threshold = truth[truth.length - 1]!.score
    const tolerance = 1e-5 * Math.max(1, Math.abs(threshold))
    const found = matches.slice(0, k).filter((match) => ids.has(match.id) || match.score >= threshold - tolerance).length
    sum += Math.min(found, truth.length) / truth.length
  })
  return sum / exact.length
}

/** Resident set size of a process (this one when no pid), from /proc where there is one. */
function residentBytes(pid?: number): number {
  if (pid === undefined) return process.memoryUsage().rss
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /VmRSS:\s+(\d+) kB/.exec(status)
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}
