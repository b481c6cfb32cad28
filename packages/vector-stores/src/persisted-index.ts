/**
 * A store's index of an embedding set's training split, persisted in the artifact store
 * (issue 13's `index` step). FAISS and usearch own their index's bytes in this process and
 * write them out (faiss::write_index, usearch's save): the `index` job builds, measures and
 * stores the index once, and a hybrid (its job, and a deployment at cold start) loads it
 * instead of building it again when one exists for its store, metric, settings and
 * embedding set (the set's sha256 is part of the key and checked in the file). The other
 * stores are rebuilt where they are needed: `NOT_PERSISTED` says why for each.
 */
import { createHash } from 'node:crypto'
import { ArtifactNotFoundError, type ArtifactStore } from '@bankbench/core'
import { openStore, unavailable, type OpenedStore, type StoreName } from './benchmark/stores'
import { isPersistentIndex, isPersistentStore, type IndexSpec, type SavedIndex, type VectorIndex, type VectorRecord } from './types'

/** The stores whose index is written to the artifact store. */
export const PERSISTENT_STORES = ['faiss', 'usearch'] as const satisfies readonly StoreName[]

/** Why each other store's index is built again where it is needed instead of being loaded. */
export const NOT_PERSISTED: Record<Exclude<StoreName, (typeof PERSISTENT_STORES)[number]>, string> = {
  exact: 'exact search has no index beyond the vectors, which the embedding set already stores',
  pgvector: 'pgvector keeps its index in the Postgres database that owns its storage (PGlite in memory here, RDS/Aurora in production); a production index is built once in that database, not shipped as a file',
  lancedb: 'LanceDB keeps its tables in a folder it manages (a temporary one per process here); copying that folder as an artifact is not implemented, so the table is rebuilt',
  chroma: "Chroma's server owns its storage (its own folder, behind the server started per process here)",
  pinecone: 'Pinecone holds the index in the managed service; it is created there, not stored by us',
  weaviate: 'Weaviate holds the collection on its server; it is created there, not stored by us',
  milvus: 'Milvus holds the collection on its server; it is created there, not stored by us',
}

/** The embedding set an index was built over: its artifact key and the sha256 of its bytes. */
export interface EmbeddingsRef {
  key: string
  sha256: string
}

/** What a persisted index file records beside the library's bytes. */
interface Header {
  format: 'bankbench-index/1'
  store: StoreName
  metric: IndexSpec['metric']
  settings: Record<string, unknown>
  dimension: number
  /** The embedding set whose training split it indexes. */
  embeddings: EmbeddingsRef
  split: 'train'
  records: SavedIndex['records']
  /** sha256 of the library's bytes: the file is refused if they changed. */
  sha256: string
}

export function isPersistentStoreName(store: StoreName): store is (typeof PERSISTENT_STORES)[number] {
  return (PERSISTENT_STORES as readonly string[]).includes(store)
}

/**
 * Where the index of a store, metric and settings over an embedding set's training split
 * lives: by the set's sha256 and a hash of the store's settings, so a changed set or
 * setting is another key, never a stale index.
 */
export function persistedIndexKey(embeddings: EmbeddingsRef, store: StoreName, spec: Pick<IndexSpec, 'metric' | 'settings'>): string {
  const settings = createHash('sha256').update(canonicalJson({ store, metric: spec.metric, settings: spec.settings ?? {} })).digest('hex').slice(0, 16)
  return `indexes/${embeddings.sha256.slice(0, 16)}/${store}-${spec.metric}-${settings}.train.idx`
}

/** The file: an 8-byte little-endian header length, the JSON header, then the library's bytes (the embedding file's layout). */
function serializeIndexFile(header: Omit<Header, 'format' | 'sha256'>, bytes: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ format: 'bankbench-index/1', ...header, sha256: createHash('sha256').update(bytes).digest('hex') } satisfies Header))
  const out = new Uint8Array(8 + json.length + bytes.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true)
  out.set(json, 8)
  out.set(bytes, 8 + json.length)
  return out
}

function parseIndexFile(file: Uint8Array, key: string): { header: Header; bytes: Uint8Array } {
  const length = Number(new DataView(file.buffer, file.byteOffset, file.byteLength).getBigUint64(0, true))
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + length))) as Header
  if (header.format !== 'bankbench-index/1') throw new Error(`${key} is not a persisted index (format ${JSON.stringify(header.format)})`)
  const bytes = file.slice(8 + length)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (sha256 !== header.sha256) throw new Error(`the persisted index ${key}: its bytes hash to ${sha256}, the header records ${header.sha256}`)
  return { header, bytes }
}

/** Inserts records in batches of 1,000, then `optimize`: how every index here is built (the index job, a hybrid, serving). */
export async function fillIndex(index: VectorIndex, records: readonly VectorRecord[], batch = 1000): Promise<{ insertSeconds: number; optimizeSeconds: number }> {
  const insertStart = performance.now()
  for (let start = 0; start < records.length; start += batch) await index.upsert(records.slice(start, start + batch))
  const optimizeStart = performance.now()
  await index.optimize()
  return { insertSeconds: (optimizeStart - insertStart) / 1000, optimizeSeconds: (performance.now() - optimizeStart) / 1000 }
}

/** Writes a built index to the artifact store under its key; the caller checks the store persists. */
export async function saveIndex(artifacts: ArtifactStore, store: StoreName, index: VectorIndex, embeddings: EmbeddingsRef): Promise<{ key: string; bytes: number; sha256: string; saveSeconds: number }> {
  if (!isPersistentIndex(index)) throw new Error(`a ${store} index cannot be saved: ${NOT_PERSISTED[store as keyof typeof NOT_PERSISTED] ?? 'its adapter does not write it out'}`)
  const started = performance.now()
  const saved = await index.save()
  const key = persistedIndexKey(embeddings, store, index.spec)
  const file = serializeIndexFile({ store, metric: index.spec.metric, settings: { ...(index.spec.settings ?? {}) }, dimension: index.spec.dimension, embeddings, split: 'train', records: saved.records }, saved.bytes)
  const info = await artifacts.put(key, file, { contentType: 'application/octet-stream' })
  return { key, bytes: info.bytes, sha256: info.sha256, saveSeconds: (performance.now() - started) / 1000 }
}

/**
 * The persisted index of `store` with this spec over the embedding set, opened (the store
 * opened with it: the caller closes `opened.store`); undefined when the store does not
 * persist or none is stored. A file whose bytes changed, or that was built over another
 * set or with other settings, is an error, never a silently wrong index.
 */
export async function loadPersistedIndex(artifacts: ArtifactStore, store: StoreName, spec: IndexSpec, embeddings: EmbeddingsRef): Promise<{ opened: OpenedStore; index: VectorIndex; key: string; loadSeconds: number } | undefined> {
  if (!isPersistentStoreName(store) || unavailable(store)) return undefined
  const key = persistedIndexKey(embeddings, store, spec)
  const started = performance.now()
  let file: Uint8Array
  try {
    file = await artifacts.get(key)
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return undefined
    throw error
  }
  const { header, bytes } = parseIndexFile(file, key)
  if (header.embeddings.sha256 !== embeddings.sha256) throw new Error(`the persisted index ${key} was built over embeddings ${header.embeddings.sha256}, not ${embeddings.sha256}`)
  if (header.store !== store || header.metric !== spec.metric || canonicalJson(header.settings) !== canonicalJson(spec.settings ?? {}) || header.dimension !== spec.dimension) {
    throw new Error(`the persisted index ${key} is a ${header.store} ${header.metric} index of dimension ${header.dimension} with settings ${canonicalJson(header.settings)}, not the one asked for`)
  }
  const opened = await openStore(store)
  try {
    if (!isPersistentStore(opened.store)) throw new Error(`the ${store} adapter cannot load an index`)
    const index = await opened.store.loadIndex(spec, { bytes, records: header.records })
    return { opened, index, key, loadSeconds: (performance.now() - started) / 1000 }
  } catch (error) {
    await opened.store.close()
    throw error
  }
}

/** What `buildIndex` measured and where it left the index. */
export interface IndexBuild {
  count: number
  dimension: number
  insertSeconds: number
  optimizeSeconds: number
  buildSeconds: number
  indexBytes: number | null
  /** The persisted index: key, size, sha256, and the seconds to write it and to load it back (checked to hold every record). */
  persisted: { key: string; bytes: number; sha256: string; saveSeconds: number; loadSeconds: number } | null
  /** Why the store's index was not persisted. */
  notPersisted?: string
}

/**
 * The `index` step: builds `store`'s index of the records (the embedding set's training
 * split), measures it, and where the store persists, writes it to the artifact store and
 * loads it back once (a check that it reads, and the load time a deployment pays instead
 * of the build). The store is closed after.
 */
export async function buildIndex(artifacts: ArtifactStore, store: StoreName, spec: Omit<IndexSpec, 'dimension'>, records: readonly VectorRecord[], embeddings: EmbeddingsRef): Promise<IndexBuild> {
  const why = unavailable(store)
  if (why) throw new Error(`${store} cannot run here: ${why}`)
  const dimension = records[0]?.vector.length ?? 0
  const full: IndexSpec = { ...spec, dimension }
  const opened = await openStore(store)
  let figures: Omit<IndexBuild, 'persisted' | 'notPersisted'>
  let saved: { key: string; bytes: number; sha256: string; saveSeconds: number } | undefined
  try {
    const index = await opened.store.createIndex(full)
    const { insertSeconds, optimizeSeconds } = await fillIndex(index, records)
    const stats = await index.stats()
    figures = { count: stats.count, dimension, insertSeconds, optimizeSeconds, buildSeconds: insertSeconds + optimizeSeconds, indexBytes: stats.bytes }
    if (isPersistentStoreName(store)) saved = await saveIndex(artifacts, store, index, embeddings)
  } finally {
    await opened.store.close()
  }
  if (!saved) return { ...figures, persisted: null, notPersisted: NOT_PERSISTED[store as keyof typeof NOT_PERSISTED] }
  const loaded = await loadPersistedIndex(artifacts, store, full, embeddings)
  if (!loaded) throw new Error(`the ${store} index saved at ${saved.key} could not be found again`)
  try {
    const count = (await loaded.index.stats()).count
    if (count !== figures.count) throw new Error(`the ${store} index saved at ${saved.key} loads with ${count} vectors, not ${figures.count}`)
  } finally {
    await loaded.opened.store.close()
  }
  return { ...figures, persisted: { ...saved, loadSeconds: loaded.loadSeconds } }
}

/**
 * A labelled index of the records in `store`, ready to query: the persisted one when
 * `persistence` names an embedding set with an index stored for this store, metric and
 * settings (loaded, not built), else built (and, with `save`, persisted for the next
 * load; `notSaved` says why when writing it failed). The caller closes `opened.store`.
 */
export async function openLabelledIndex(
  store: StoreName, spec: Omit<IndexSpec, 'dimension'>, records: readonly VectorRecord[],
  persistence?: { artifacts: ArtifactStore; embeddings: EmbeddingsRef; save?: boolean },
): Promise<{ opened: OpenedStore; index: VectorIndex; buildSeconds: number; loadedFrom?: string; savedTo?: string; notSaved?: string }> {
  const why = unavailable(store)
  if (why) throw new Error(`${store} cannot run here: ${why}`)
  const full: IndexSpec = { ...spec, dimension: records[0]?.vector.length ?? 0 }
  if (persistence) {
    const loaded = await loadPersistedIndex(persistence.artifacts, store, full, persistence.embeddings)
    if (loaded) {
      const count = (await loaded.index.stats()).count
      if (count === records.length) return { opened: loaded.opened, index: loaded.index, buildSeconds: loaded.loadSeconds, loadedFrom: loaded.key }
      await loaded.opened.store.close()
      throw new Error(`the persisted index ${loaded.key} holds ${count} vectors, the embedding set's training split ${records.length}`)
    }
  }
  const opened = await openStore(store)
  try {
    const started = performance.now()
    const index = await opened.store.createIndex(full)
    await fillIndex(index, records)
    const buildSeconds = (performance.now() - started) / 1000
    if (!persistence?.save || !isPersistentStoreName(store)) return { opened, index, buildSeconds }
    // Persisting saves the next load a build; an index that cannot be written (an addon built before it could) is still served.
    try {
      return { opened, index, buildSeconds, savedTo: (await saveIndex(persistence.artifacts, store, index, persistence.embeddings)).key }
    } catch (error) {
      return { opened, index, buildSeconds, notSaved: error instanceof Error ? error.message : String(error) }
    }
  } catch (error) {
    await opened.store.close()
    throw error
  }
}

/** JSON with object keys sorted, so equal settings hash equally whatever order they were written in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`
  return JSON.stringify(value)
}
