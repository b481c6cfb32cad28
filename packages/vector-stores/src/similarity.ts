import type { Metric } from './types'

/** The score of `Match` (higher is nearer) between `a` and row `row` of a row-major matrix. */
export function score(metric: Metric, a: Float32Array, matrix: Float32Array, row: number, norms?: Float32Array): number {
  const dimension = a.length
  const offset = row * dimension
  if (metric === 'l2') {
    let sum = 0
    for (let i = 0; i < dimension; i++) {
      const d = a[i]! - matrix[offset + i]!
      sum += d * d
    }
    return -sum
  }
  let dot = 0
  for (let i = 0; i < dimension; i++) dot += a[i]! * matrix[offset + i]!
  if (metric === 'ip') return dot
  const rowNorm = norms ? norms[row]! : norm(matrix.subarray(offset, offset + dimension))
  const denominator = norm(a) * rowNorm
  return denominator === 0 ? 0 : dot / denominator
}

export function norm(vector: Float32Array): number {
  let sum = 0
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!
  return Math.sqrt(sum)
}

/**
 * Keeps the k best (row, score) pairs seen, best first: insertion into a sorted buffer
 * of k, which beats sorting all n scores for the small k of a nearest-neighbour query.
 * Ties keep the earlier row first, so exact search is deterministic.
 */
export class TopK {
  readonly rows: Int32Array
  readonly scores: Float64Array
  size = 0

  constructor(readonly k: number) {
    this.rows = new Int32Array(k)
    this.scores = new Float64Array(k)
  }

  push(row: number, value: number): void {
    const { k, rows, scores } = this
    if (k === 0) return
    if (this.size === k && value <= scores[k - 1]!) return
    let i = this.size < k ? this.size++ : k - 1
    while (i > 0 && scores[i - 1]! < value) {
      scores[i] = scores[i - 1]!
      rows[i] = rows[i - 1]!
      i--
    }
    scores[i] = value
    rows[i] = row
  }
}
