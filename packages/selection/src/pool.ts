import type { Embeddings, PoolNeed, PoolOutputs, SelectionRequest } from './types'

/** The unlabelled rows of a request, in index order. */
export function unlabeledIndices(request: SelectionRequest): number[] {
  const indices: number[] = []
  for (let index = 0; index < request.pool.size; index++) if (!request.labeled[index]) indices.push(index)
  return indices
}

/** A strategy asked for an output the simulation did not compute: say which, not NaN scores. */
export function required<K extends PoolNeed>(pool: PoolOutputs, need: K, strategy: string): NonNullable<PoolOutputs[K]> {
  const value = pool[need]
  if (value === undefined) throw new Error(`the ${strategy} strategy needs the pool's ${need}`)
  return value as NonNullable<PoolOutputs[K]>
}

/**
 * The `batchSize` unlabelled rows with the highest score. Ties go to the lower index,
 * so the choice never depends on the sort's stability or on the platform.
 */
export function topScored(request: SelectionRequest, score: (index: number) => number): number[] {
  const candidates = unlabeledIndices(request).map((index) => ({ index, score: score(index) }))
  candidates.sort((a, b) => b.score - a.score || a.index - b.index)
  return candidates.slice(0, request.batchSize).map((candidate) => candidate.index)
}

/** Row `index` of a row-major matrix with `columns` columns, as a view. */
export function row(values: Float32Array, columns: number, index: number): Float32Array {
  return values.subarray(index * columns, (index + 1) * columns)
}

export function embeddingRow(embeddings: Embeddings, index: number): Float32Array {
  return row(embeddings.values, embeddings.dimension, index)
}

/** Shannon entropy (nats) of a probability vector; 0·log 0 = 0. */
export function entropy(probabilities: ArrayLike<number>): number {
  let sum = 0
  for (let k = 0; k < probabilities.length; k++) {
    const p = probabilities[k]!
    if (p > 0) sum -= p * Math.log(p)
  }
  return sum
}

/** The largest and second-largest entries of a probability vector. */
export function topTwo(probabilities: ArrayLike<number>): [number, number] {
  let first = -Infinity
  let second = -Infinity
  for (let k = 0; k < probabilities.length; k++) {
    const p = probabilities[k]!
    if (p > first) {
      second = first
      first = p
    } else if (p > second) second = p
  }
  return [first, second === -Infinity ? 0 : second]
}
