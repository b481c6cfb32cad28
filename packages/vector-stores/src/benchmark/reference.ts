import { ExactIndex } from '../exact'
import type { Match, Metric, VectorRecord } from '../types'

/** Exact search's top k for every query: the ground truth of recall. */
export function exactTopK(records: readonly VectorRecord[], queries: readonly Float32Array[], metric: Metric, k: number): Match[][] {
  const dimension = records[0]?.vector.length ?? 0
  const index = new ExactIndex({ name: 'reference', dimension, metric }, records.length)
  index.upsertSync(records)
  return queries.map((query) => index.querySync(query, k))
}
