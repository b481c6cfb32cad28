import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { checkDimension, checkSpec, lastById, readSettings } from './settings'
import { norm } from './similarity'
import type { IndexSpec, IndexStats, Match, Metric, PersistentIndex, PersistentStore, SavedIndex, VectorRecord } from './types'

/**
 * FAISS's settings: `factory`, an index factory string (`Flat`, `IVF100,PQ8`, `HNSW32`,
 * …, as `faiss.index_factory` reads it); `nprobe` (IVF) and `efSearch` (HNSW) at query
 * time, 0 for FAISS's default (1 and 16).
 */
export const FAISS_DEFAULTS = { factory: 'Flat', nprobe: 0, efSearch: 0 }

interface NativeFaissIndex {
  isTrained(): boolean
  train(vectors: Float32Array): void
  add(vectors: Float32Array, ids: BigInt64Array): void
  search(queries: Float32Array, k: number): { distances: Float32Array; ids: BigInt64Array }
  remove(ids: BigInt64Array): number
  count(): number
  setParameter(name: string, value: number): void
  serializedBytes(): number
  /** faiss::write_index's bytes, which `new FaissIndex(bytes)` reads back. */
  serialize(): Uint8Array
}

interface FaissBinding {
  FaissIndex: { new (dimension: number, factory: string, metric: number): NativeFaissIndex; new (bytes: Uint8Array): NativeFaissIndex }
  setThreads(threads: number): void
}

/** Where the addon is: built in this package, or beside the bundled entrypoint in the indexer image. */
const ADDON_CANDIDATES = [new URL('../build/Release/faiss_binding.node', import.meta.url), new URL('./faiss_binding.node', import.meta.url)]

let loaded: { binding: FaissBinding } | { reason: string } | undefined

/**
 * The FAISS addon (`npm run build -w @bankbench/vector-stores`, against Debian's
 * `libfaiss-dev`), or why it is not there. Never throws: callers decide whether FAISS
 * is optional.
 */
export function loadFaiss(): { binding: FaissBinding } | { reason: string } {
  if (loaded) return loaded
  const addon = ADDON_CANDIDATES.find((candidate) => existsSync(candidate))
  if (!addon) {
    loaded = { reason: 'the FAISS addon is not built (apt-get install libfaiss-dev libopenblas-dev g++ make; npm run build -w @bankbench/vector-stores)' }
    return loaded
  }
  try {
    loaded = { binding: createRequire(import.meta.url)(addon.pathname) as FaissBinding }
  } catch (error) {
    loaded = { reason: `the FAISS addon did not load: ${(error as Error).message}` }
  }
  return loaded
}

function binding(): FaissBinding {
  const result = loadFaiss()
  if ('reason' in result) throw new Error(result.reason)
  return result.binding
}

/** FAISS computes cosine as the inner product of unit vectors: the adapter normalises on the way in. */
function prepared(metric: Metric, vector: Float32Array): Float32Array {
  if (metric !== 'cosine') return vector
  const length = norm(vector)
  return length === 0 ? vector : Float32Array.from(vector, (value) => value / length)
}

/** FAISS distances to `Match.score`: METRIC_INNER_PRODUCT returns the dot product (the cosine on unit vectors), METRIC_L2 the squared distance. */
export function faissScore(metric: Metric, distance: number): number {
  return metric === 'l2' ? -distance : distance
}

/**
 * FAISS through our addon. Indexes that must be trained (IVF, PQ) keep upserts in
 * memory until `optimize` trains on them and adds them (FAISS refuses vectors before
 * training); a query before that trains first. HNSW cannot remove vectors
 * (`remove_ids` throws), so deletes there are tombstones the query skips, over-fetching
 * by their number.
 */
export class FaissIndex implements PersistentIndex {
  readonly native: NativeFaissIndex
  private readonly keyOf = new Map<string, bigint>()
  private readonly recordOf = new Map<bigint, { id: string; label: string }>()
  private readonly tombstones = new Set<bigint>()
  private pending = new Map<string, VectorRecord>()
  private nextKey = 0n

  /** A new, empty index; or, with `saved`, the index `save` wrote (faiss::read_index), its records as they were. */
  constructor(readonly spec: IndexSpec, saved?: SavedIndex) {
    checkSpec(spec)
    const settings = readSettings('faiss', spec, FAISS_DEFAULTS)
    const Native = binding().FaissIndex
    this.native = saved ? new Native(saved.bytes) : new Native(spec.dimension, settings.factory, spec.metric === 'l2' ? 1 : 0)
    if (saved) {
      if (this.native.count() !== saved.records.length) throw new Error(`the saved FAISS index holds ${this.native.count()} vectors, its records ${saved.records.length}`)
      for (const record of saved.records) {
        const key = BigInt(record.key)
        this.keyOf.set(record.id, key)
        this.recordOf.set(key, { id: record.id, label: record.label })
        if (key >= this.nextKey) this.nextKey = key + 1n
      }
    }
    // Query-time parameters: set again on a loaded index, whatever it was saved with.
    if (settings.nprobe > 0) this.native.setParameter('nprobe', settings.nprobe)
    if (settings.efSearch > 0) this.native.setParameter('efSearch', settings.efSearch)
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const unique = lastById(records)
    for (const record of unique) checkDimension(this.spec, record.vector)
    await this.delete(unique.map((record) => record.id))
    if (!this.native.isTrained()) {
      for (const record of unique) this.pending.set(record.id, record)
      return
    }
    this.add(unique)
  }

  async optimize(): Promise<void> {
    if (this.native.isTrained() || this.pending.size === 0) return
    const records = [...this.pending.values()]
    this.native.train(this.matrix(records))
    this.pending = new Map()
    this.add(records)
  }

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    checkDimension(this.spec, vector)
    if (this.pending.size > 0) await this.optimize()
    const fetch = Math.min(k + this.tombstones.size, this.native.count())
    if (fetch <= 0 || k <= 0) return []
    const { distances, ids } = this.native.search(prepared(this.spec.metric, vector), fetch)
    const matches: Match[] = []
    for (let i = 0; i < ids.length && matches.length < k; i++) {
      const key = BigInt.asUintN(64, ids[i]!)
      if (ids[i]! < 0n || this.tombstones.has(key)) continue
      const record = this.recordOf.get(key)
      if (record) matches.push({ id: record.id, label: record.label, score: faissScore(this.spec.metric, distances[i]!) })
    }
    return matches
  }

  async stats(): Promise<IndexStats> {
    const count = this.native.count() - this.tombstones.size + this.pending.size
    return { count, dimension: this.spec.dimension, metric: this.spec.metric, bytes: this.native.serializedBytes() }
  }

  async save(): Promise<SavedIndex> {
    await this.optimize()
    // Tombstones are deletes FAISS could not make (HNSW): the written index would hold them as live vectors.
    if (this.tombstones.size > 0) throw new Error(`this FAISS index holds ${this.tombstones.size} deleted vectors its index type cannot remove, so it is not saved`)
    if (typeof this.native.serialize !== 'function') throw new Error('the FAISS addon was built before it could write indexes out: rebuild it (npm run build:faiss)')
    return { bytes: this.native.serialize(), records: [...this.recordOf].map(([key, record]) => ({ key: Number(key), ...record })) }
  }

  async delete(ids: readonly string[]): Promise<void> {
    const keys: bigint[] = []
    for (const id of ids) {
      this.pending.delete(id)
      const key = this.keyOf.get(id)
      if (key === undefined) continue
      keys.push(key)
      this.keyOf.delete(id)
      this.recordOf.delete(key)
    }
    if (keys.length === 0) return
    try {
      this.native.remove(BigInt64Array.from(keys))
    } catch {
      for (const key of keys) this.tombstones.add(key)
    }
  }

  private add(records: readonly VectorRecord[]): void {
    if (records.length === 0) return
    const keys = new BigInt64Array(records.length)
    records.forEach((record, i) => {
      const key = this.nextKey++
      keys[i] = key
      this.keyOf.set(record.id, key)
      this.recordOf.set(key, { id: record.id, label: record.label })
    })
    this.native.add(this.matrix(records), keys)
  }

  private matrix(records: readonly VectorRecord[]): Float32Array {
    const matrix = new Float32Array(records.length * this.spec.dimension)
    records.forEach((record, i) => matrix.set(prepared(this.spec.metric, record.vector), i * this.spec.dimension))
    return matrix
  }
}

export class FaissStore implements PersistentStore {
  readonly name = 'faiss'

  async createIndex(spec: IndexSpec): Promise<FaissIndex> {
    return new FaissIndex(spec)
  }

  async loadIndex(spec: IndexSpec, saved: SavedIndex): Promise<FaissIndex> {
    return new FaissIndex(spec, saved)
  }

  async dropIndex(_name: string): Promise<void> {}

  async close(): Promise<void> {}
}
