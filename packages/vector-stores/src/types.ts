/**
 * The one interface every vector database is used through (issue 13): create an index
 * with a metric and the store's own index settings, upsert labelled vectors in batches,
 * query the top k with scores, read the index's stats, delete. The benchmark, the
 * embedding-quality measures and the hybrid classifier see nothing else of a store.
 */

/** Distance metrics every adapter supports; each store's own name for them is the adapter's business. */
export const METRICS = ['cosine', 'l2', 'ip'] as const
export type Metric = (typeof METRICS)[number]

export interface IndexSpec {
  /** Lower-case letters, digits and `_` (a table, collection or namespace name in every store). */
  name: string
  dimension: number
  metric: Metric
  /**
   * The store's own index settings, as its adapter documents them (HNSW `m` and
   * `efConstruction`, an IVF `lists`, a FAISS factory string). Absent keys take the
   * adapter's defaults; unknown keys are an error, so a typo is not a silent default.
   */
  settings?: Readonly<Record<string, unknown>>
}

/** One labelled vector: the id is the example's, the label its intent (stored as metadata). */
export interface VectorRecord {
  id: string
  vector: Float32Array
  label: string
}

/**
 * One neighbour. `score` is a similarity, higher is nearer, the same number in every
 * store: cosine similarity for `cosine`, the inner product for `ip`, minus the squared
 * Euclidean distance for `l2`. Stores return distances in their own conventions
 * (1 - cos, -dot, 1 - dot, Euclidean or squared); the adapters convert, so results can
 * be compared across stores and with exact search.
 */
export interface Match {
  id: string
  label: string
  score: number
}

export interface IndexStats {
  count: number
  dimension: number
  metric: Metric
  /** The index's size as the store reports it (bytes on disk or in memory); null where it reports none. */
  bytes: number | null
}

export interface VectorIndex {
  readonly spec: IndexSpec
  /** Inserts or replaces records by id. Adapters split large inputs into the store's own batch limit. */
  upsert(records: readonly VectorRecord[]): Promise<void>
  /**
   * Builds what the store builds after loading (an IVF's centroids, a deferred ANN
   * index, compaction). Part of the index build time; a no-op where inserts index as
   * they go.
   */
  optimize(): Promise<void>
  /** The k nearest records to `vector`, nearest first (fewer when the index holds fewer). */
  query(vector: Float32Array, k: number): Promise<Match[]>
  stats(): Promise<IndexStats>
  /** Removes records by id; unknown ids are ignored. */
  delete(ids: readonly string[]): Promise<void>
}

export interface VectorStore {
  /** The store's name in reports (`exact`, `usearch`, `pgvector`, …). */
  readonly name: string
  /** Creates an empty index, replacing one of the same name. */
  createIndex(spec: IndexSpec): Promise<VectorIndex>
  /** Drops an index and its data; a name that does not exist is not an error. */
  dropIndex(name: string): Promise<void>
  /** Releases the client (connections, child processes, native handles). */
  close(): Promise<void>
}

/**
 * An index written out in its library's own format (faiss::write_index, usearch's save), with
 * the record each of the library's integer keys stands for: what the `index` job persists in
 * the artifact store and a hybrid loads instead of building the index again.
 */
export interface SavedIndex {
  bytes: Uint8Array
  records: { key: number; id: string; label: string }[]
}

/** An index its store can write out and read back (FAISS, usearch). */
export interface PersistentIndex extends VectorIndex {
  /** The index as its library writes it (after `optimize`: a trained, complete index). */
  save(): Promise<SavedIndex>
}

/** A store whose indexes can be written out and read back: the in-process libraries that own their index's bytes. */
export interface PersistentStore extends VectorStore {
  /** An index from what `PersistentIndex.save` wrote, under the spec it was built with. */
  loadIndex(spec: IndexSpec, saved: SavedIndex): Promise<PersistentIndex>
}

export function isPersistentStore(store: VectorStore): store is PersistentStore {
  return typeof (store as Partial<PersistentStore>).loadIndex === 'function'
}

export function isPersistentIndex(index: VectorIndex): index is PersistentIndex {
  return typeof (index as Partial<PersistentIndex>).save === 'function'
}
