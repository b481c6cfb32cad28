import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Index, MetricKind, ScalarKind } from 'usearch'
import { checkDimension, checkSpec, lastById, readSettings } from './settings'
import type { IndexSpec, IndexStats, Match, Metric, PersistentIndex, PersistentStore, SavedIndex, VectorRecord } from './types'

/** usearch's HNSW settings: `m` (its `connectivity`), `efConstruction` (`expansion_add`), `efSearch` (`expansion_search`). */
export const USEARCH_DEFAULTS = { m: 16, efConstruction: 128, efSearch: 64 }

const METRIC_KIND: Record<Metric, MetricKind> = { cosine: MetricKind.Cos, ip: MetricKind.IP, l2: MetricKind.L2sq }

/** usearch distances to `Match.score`: it returns 1 - cos for cos, 1 - dot for ip, the squared distance for l2sq. */
export function usearchScore(metric: Metric, distance: number): number {
  return metric === 'l2' ? -distance : 1 - distance
}

/**
 * usearch (an in-process HNSW library, prebuilt native binary) keys vectors by
 * unsigned 64-bit integers and stores no metadata, so the adapter keeps the string id
 * and label per key. An upsert of a known id removes its key and adds it again: the
 * wrapper refuses duplicate keys.
 */
export class UsearchIndex implements PersistentIndex {
  readonly native: Index
  private readonly keyOf = new Map<string, bigint>()
  private readonly recordOf = new Map<bigint, { id: string; label: string }>()
  private nextKey = 0n

  /** A new, empty index; or, with `saved`, the index `save` wrote (usearch's own file, loaded), its records as they were. */
  constructor(readonly spec: IndexSpec, saved?: SavedIndex) {
    checkSpec(spec)
    const settings = readSettings('usearch', spec, USEARCH_DEFAULTS)
    this.native = new Index({
      dimensions: spec.dimension,
      metric: METRIC_KIND[spec.metric],
      quantization: ScalarKind.F32,
      connectivity: settings.m,
      expansion_add: settings.efConstruction,
      expansion_search: settings.efSearch,
      multi: false,
    })
    if (saved) {
      // The library reads and writes files only.
      withTemporaryFile((path) => {
        writeFileSync(path, saved.bytes)
        this.native.load(path)
      })
      if (this.native.size() !== saved.records.length) throw new Error(`the saved usearch index holds ${this.native.size()} vectors, its records ${saved.records.length}`)
      for (const record of saved.records) {
        const key = BigInt(record.key)
        this.keyOf.set(record.id, key)
        this.recordOf.set(key, { id: record.id, label: record.label })
        if (key >= this.nextKey) this.nextKey = key + 1n
      }
    }
  }

  async save(): Promise<SavedIndex> {
    const bytes = withTemporaryFile((path) => {
      this.native.save(path)
      return new Uint8Array(readFileSync(path))
    })
    return { bytes, records: [...this.recordOf].map(([key, record]) => ({ key: Number(key), ...record })) }
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const unique = lastById(records)
    if (unique.length === 0) return
    const keys = new BigUint64Array(unique.length)
    const vectors = new Float32Array(unique.length * this.spec.dimension)
    unique.forEach((record, i) => {
      checkDimension(this.spec, record.vector)
      const known = this.keyOf.get(record.id)
      if (known !== undefined) {
        this.native.remove(known)
        this.recordOf.delete(known)
      }
      const key = this.nextKey++
      keys[i] = key
      vectors.set(record.vector, i * this.spec.dimension)
      this.keyOf.set(record.id, key)
      this.recordOf.set(key, { id: record.id, label: record.label })
    })
    this.native.add(keys, vectors)
  }

  async optimize(): Promise<void> {}

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    checkDimension(this.spec, vector)
    const size = this.native.size()
    if (size === 0 || k === 0) return []
    const { keys, distances } = this.native.search(vector, Math.min(k, size), 1)
    const matches: Match[] = []
    for (let i = 0; i < keys.length; i++) {
      const record = this.recordOf.get(keys[i]!)
      if (record) matches.push({ id: record.id, label: record.label, score: usearchScore(this.spec.metric, distances[i]!) })
    }
    return matches
  }

  async stats(): Promise<IndexStats> {
    return { count: this.native.size(), dimension: this.spec.dimension, metric: this.spec.metric, bytes: serializedBytes(this.native) }
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const key = this.keyOf.get(id)
      if (key === undefined) continue
      this.native.remove(key)
      this.keyOf.delete(id)
      this.recordOf.delete(key)
    }
  }
}

/** The index's size as usearch serialises it (vectors and graph): the library reports no memory figure. */
function serializedBytes(index: Index): number {
  return withTemporaryFile((path) => {
    index.save(path)
    return statSync(path).size
  })
}

function withTemporaryFile<T>(use: (path: string) => T): T {
  const folder = mkdtempSync(join(tmpdir(), 'usearch-'))
  try {
    return use(join(folder, 'index.usearch'))
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

export class UsearchStore implements PersistentStore {
  readonly name = 'usearch'

  async createIndex(spec: IndexSpec): Promise<UsearchIndex> {
    return new UsearchIndex(spec)
  }

  async loadIndex(spec: IndexSpec, saved: SavedIndex): Promise<UsearchIndex> {
    return new UsearchIndex(spec, saved)
  }

  async dropIndex(_name: string): Promise<void> {}

  async close(): Promise<void> {}
}
