import { checkDimension, checkSpec, readSettings } from './settings'
import { norm, score, TopK } from './similarity'
import type { IndexSpec, IndexStats, Match, VectorIndex, VectorRecord, VectorStore } from './types'

/**
 * Exact (brute-force) search in process: every query scores every vector. The
 * reference the other stores' recall is measured against, and the `Flat` baseline in
 * latency tables. No settings.
 */
export class ExactIndex implements VectorIndex {
  private matrix: Float32Array
  private norms: Float32Array
  private ids: string[] = []
  private labels: string[] = []
  private readonly rowOf = new Map<string, number>()

  constructor(readonly spec: IndexSpec, capacity = 1024) {
    checkSpec(spec)
    readSettings('exact', spec, {})
    this.matrix = new Float32Array(capacity * spec.dimension)
    this.norms = new Float32Array(capacity)
  }

  get size(): number {
    return this.ids.length
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    this.upsertSync(records)
  }

  /** `upsert` without the promise, for callers that build a reference index in a loop. */
  upsertSync(records: readonly VectorRecord[]): void {
    const { dimension } = this.spec
    for (const record of records) {
      checkDimension(this.spec, record.vector)
      let row = this.rowOf.get(record.id)
      if (row === undefined) {
        row = this.ids.length
        this.grow(row + 1)
        this.ids.push(record.id)
        this.labels.push(record.label)
        this.rowOf.set(record.id, row)
      } else {
        this.labels[row] = record.label
      }
      this.matrix.set(record.vector, row * dimension)
      this.norms[row] = norm(record.vector)
    }
  }

  async optimize(): Promise<void> {}

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    return this.querySync(vector, k)
  }

  querySync(vector: Float32Array, k: number): Match[] {
    checkDimension(this.spec, vector)
    const top = new TopK(Math.min(k, this.size))
    for (let row = 0; row < this.size; row++) top.push(row, score(this.spec.metric, vector, this.matrix, row, this.norms))
    return Array.from({ length: top.size }, (_, i) => ({ id: this.ids[top.rows[i]!]!, label: this.labels[top.rows[i]!]!, score: top.scores[i]! }))
  }

  async stats(): Promise<IndexStats> {
    return { count: this.size, dimension: this.spec.dimension, metric: this.spec.metric, bytes: this.size * this.spec.dimension * 4 }
  }

  async delete(ids: readonly string[]): Promise<void> {
    const { dimension } = this.spec
    for (const id of ids) {
      const row = this.rowOf.get(id)
      if (row === undefined) continue
      // Swap-remove: the last row moves into the hole, so rows stay dense.
      const last = this.ids.length - 1
      if (row !== last) {
        this.matrix.copyWithin(row * dimension, last * dimension, (last + 1) * dimension)
        this.norms[row] = this.norms[last]!
        this.ids[row] = this.ids[last]!
        this.labels[row] = this.labels[last]!
        this.rowOf.set(this.ids[row]!, row)
      }
      this.ids.pop()
      this.labels.pop()
      this.rowOf.delete(id)
    }
  }

  private grow(rows: number): void {
    if (rows <= this.norms.length) return
    const capacity = Math.max(rows, this.norms.length * 2)
    const matrix = new Float32Array(capacity * this.spec.dimension)
    matrix.set(this.matrix)
    const norms = new Float32Array(capacity)
    norms.set(this.norms)
    this.matrix = matrix
    this.norms = norms
  }
}

export class ExactStore implements VectorStore {
  readonly name = 'exact'
  private readonly indexes = new Map<string, ExactIndex>()

  async createIndex(spec: IndexSpec): Promise<ExactIndex> {
    const index = new ExactIndex(spec)
    this.indexes.set(spec.name, index)
    return index
  }

  async dropIndex(name: string): Promise<void> {
    this.indexes.delete(name)
  }

  async close(): Promise<void> {
    this.indexes.clear()
  }
}
