import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node'
import { checkDimension, checkSpec, lastById, readSettings } from '../settings'
import type { IndexSpec, IndexStats, Match, Metric, VectorIndex, VectorRecord, VectorStore } from '../types'

/**
 * Milvus index settings. `index` is the vector index type: `hnsw` (`m`,
 * `efConstruction`, and `efSearch` at query time), `ivf_flat` (`nlist` lists, `nprobe`
 * searched) or `flat` (exhaustive). The seed's grid is IVF_FLAT and HNSW, nlist 100 and
 * 1000, L2 and IP; its ANNOY arm has no counterpart, ANNOY not being an index type of
 * Milvus 2.3 and later (`index: 'annoy'` is refused with that reason). `consistency` is
 * the collection's consistency level: `Strong` (the default here) makes every search see
 * every acknowledged write, as the VectorStore contract expects; `Bounded` (Milvus'
 * default) may miss the last second of writes and answers sooner.
 */
export const MILVUS_DEFAULTS = { index: 'hnsw', m: 16, efConstruction: 200, efSearch: 64, nlist: 128, nprobe: 8, consistency: 'Strong' }

const MILVUS_INDEX: Record<string, 'HNSW' | 'IVF_FLAT' | 'FLAT'> = { hnsw: 'HNSW', ivf_flat: 'IVF_FLAT', flat: 'FLAT' }
const MILVUS_METRIC: Record<Metric, 'COSINE' | 'L2' | 'IP'> = { cosine: 'COSINE', l2: 'L2', ip: 'IP' }
const CONSISTENCY = ['Strong', 'Bounded', 'Session', 'Eventually']

/** Milvus scores to `Match.score`: COSINE is the cosine similarity and IP the inner product, as they are; L2 is the squared distance, lower nearer. */
export function milvusScore(metric: Metric, score: number): number {
  return metric === 'l2' ? -score : score
}

/** Milvus collection names: letters, digits and `_`, starting with a letter or `_`. */
export function milvusCollectionName(name: string): string {
  return `vs_${name}`
}

/** The collection's fields: the record id as a VarChar primary key, its intent, and the vector. */
export const MILVUS_FIELDS = { id: 'id', label: 'intent', vector: 'vector' }
/** Longest id and intent stored (VarChar `max_length`, in bytes). */
const MAX_LENGTH = 512
/** Rows per upsert request: Milvus refuses a gRPC message over 64 MB by default (1,000 vectors of 1,536 floats are 6 MB). */
const UPSERT_BATCH = 1000
/** Ids per delete expression (`id in [...]`): Milvus parses the expression as a string, kept well below its 64 MB message limit. */
const DELETE_BATCH = 1000

interface MilvusStatus {
  error_code?: string | number
  code?: number
  reason?: string
}

/** Milvus answers most failures as a status in a successful reply: this throws them, with Milvus' own reason. */
export function checkMilvus<T extends { status?: MilvusStatus } | MilvusStatus>(what: string, response: T): T {
  const status: MilvusStatus = 'status' in response && response.status ? response.status : (response as MilvusStatus)
  const failed = (status.error_code !== undefined && status.error_code !== 'Success' && status.error_code !== 0) || (status.code !== undefined && status.code !== 0)
  if (failed) throw new Error(`milvus ${what}: ${status.reason || `error ${String(status.error_code)} (code ${status.code})`}`)
  return response
}

/**
 * One client call with its failures as Errors that carry Milvus' reason: a status in the
 * reply (checked), or the status object the client throws itself (`createCollection`
 * throws the failed reply as it is).
 */
export async function callMilvus<T extends { status?: MilvusStatus } | MilvusStatus>(what: string, request: () => Promise<T>): Promise<T> {
  let response: T
  try {
    response = await request()
  } catch (error) {
    if (error instanceof Error) throw error
    checkMilvus(what, error as MilvusStatus)
    throw new Error(`milvus ${what}: ${JSON.stringify(error)}`)
  }
  return checkMilvus(what, response)
}

/** Milvus' code for a collection that does not exist (2.3 and later; earlier ones set `error_code` CollectionNotExists). */
const COLLECTION_NOT_FOUND = 100

export class MilvusIndex implements VectorIndex {
  constructor(readonly client: MilvusClient, readonly collection: string, readonly spec: IndexSpec, private readonly searchParams: (k: number) => Record<string, number>) {}

  /**
   * One client call, its status checked. The client itself throws where it cannot build a
   * request: for a collection that no longer exists it reads the missing schema of
   * DescribeCollection's reply (a TypeError). Then Milvus' own reason is asked for and given.
   */
  private async call<T extends { status?: MilvusStatus } | MilvusStatus>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await callMilvus(what, request)
    } catch (error) {
      if (!(error instanceof TypeError)) throw error
      const described = await this.client.describeCollection({ collection_name: this.collection }).catch(() => undefined)
      if (described) checkMilvus(what, described)
      throw new Error(`milvus ${what}: ${error.message}`, { cause: error })
    }
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const unique = lastById(records)
    for (const record of unique) checkDimension(this.spec, record.vector)
    for (let start = 0; start < unique.length; start += UPSERT_BATCH) {
      const batch = unique.slice(start, start + UPSERT_BATCH)
      await this.call(`upsert into ${this.collection}`, () => this.client.upsert({
        collection_name: this.collection,
        data: batch.map((record) => ({ [MILVUS_FIELDS.id]: record.id, [MILVUS_FIELDS.label]: record.label, [MILVUS_FIELDS.vector]: Array.from(record.vector) })),
      }))
    }
  }

  /**
   * Seals what was written (flush) and waits until the vector index covers every row:
   * Milvus builds its index per sealed segment, in the background, and searches growing
   * segments by brute force until then.
   */
  async optimize(): Promise<void> {
    await this.call(`flush ${this.collection}`, () => this.client.flushSync({ collection_names: [this.collection] }))
    for (;;) {
      const described = await this.call(`describe index of ${this.collection}`, () => this.client.describeIndex({ collection_name: this.collection, field_name: MILVUS_FIELDS.vector }))
      const index = described.index_descriptions[0]
      if (!index) throw new Error(`milvus collection ${this.collection}: no index on ${MILVUS_FIELDS.vector}`)
      if (String(index.state) === 'Failed') throw new Error(`milvus collection ${this.collection}: index build failed: ${index.index_state_fail_reason}`)
      if (String(index.state) === 'Finished' && Number(index.pending_index_rows) === 0) return
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    checkDimension(this.spec, vector)
    const found = await this.call(`search ${this.collection}`, () => this.client.search({
      collection_name: this.collection, anns_field: MILVUS_FIELDS.vector, data: Array.from(vector), limit: k,
      output_fields: [MILVUS_FIELDS.label], params: this.searchParams(k),
    }))
    return found.results.map((result) => ({
      id: String(result.id), label: String(result[MILVUS_FIELDS.label]), score: milvusScore(this.spec.metric, Number(result.score)),
    }))
  }

  async stats(): Promise<IndexStats> {
    // count(*) counts what a search sees (deletes applied); GetCollectionStatistics counts flushed rows, deleted ones included.
    const { data } = await this.call(`count ${this.collection}`, () => this.client.count({ collection_name: this.collection }))
    return { count: data, dimension: this.spec.dimension, metric: this.spec.metric, bytes: null }
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += DELETE_BATCH) {
      const batch = ids.slice(start, start + DELETE_BATCH)
      // The client's own `ids` option joins them unquoted-escaped; JSON string literals are Milvus string literals.
      await this.call(`delete from ${this.collection}`, () => this.client.delete({ collection_name: this.collection, filter: `${MILVUS_FIELDS.id} in ${JSON.stringify(batch)}` }))
    }
  }
}

export interface MilvusStoreOptions {
  /** The gRPC endpoint: `localhost:19530` for the Docker image (Milvus standalone), `https://<id>.serverless.<region>.cloud.zilliz.com` for Zilliz Cloud, or a test server's. */
  address: string
  /** `user:password` for a self-hosted Milvus with authentication on, or a Zilliz Cloud API key; absent where authentication is off. */
  token?: string
  /** The database (`default` when absent). */
  database?: string
}

/**
 * Milvus through its official Node client (`@zilliz/milvus2-sdk-node`, `MilvusClient`,
 * which speaks Milvus' gRPC API; the package's RESTful `HttpClient` is not used): one
 * collection per spec (VarChar id as primary key, intent, float vector), its vector
 * index created before the data and the collection loaded, upserts in batches, search
 * with the index type's query knob, count(*) as the count, delete by an `id in [...]`
 * expression.
 */
export class MilvusStore implements VectorStore {
  readonly name = 'milvus'
  readonly client: MilvusClient

  constructor(options: MilvusStoreOptions) {
    this.client = new MilvusClient({
      address: options.address, logLevel: 'error',
      ...(options.token ? { token: options.token } : {}), ...(options.database ? { database: options.database } : {}),
    })
  }

  async createIndex(spec: IndexSpec): Promise<MilvusIndex> {
    checkSpec(spec)
    const settings = readSettings('milvus', spec, MILVUS_DEFAULTS)
    if (settings.index === 'annoy') throw new Error(`milvus index ${spec.name}: ANNOY is not an index type of Milvus 2.3 and later (removed in 2023, milvus-io/milvus#23200); use hnsw, ivf_flat or flat`)
    const indexType = MILVUS_INDEX[settings.index]
    if (!indexType) throw new Error(`milvus index ${spec.name}: index ${JSON.stringify(settings.index)} is not one of ${Object.keys(MILVUS_INDEX).join(', ')}`)
    if (!CONSISTENCY.includes(settings.consistency)) throw new Error(`milvus index ${spec.name}: consistency ${JSON.stringify(settings.consistency)} is not one of ${CONSISTENCY.join(', ')}`)
    await this.dropIndex(spec.name)
    const collection = milvusCollectionName(spec.name)
    await callMilvus(`create collection ${collection}`, () => this.client.createCollection({
      collection_name: collection,
      fields: [
        { name: MILVUS_FIELDS.id, data_type: DataType.VarChar, is_primary_key: true, autoID: false, max_length: MAX_LENGTH },
        { name: MILVUS_FIELDS.label, data_type: DataType.VarChar, max_length: MAX_LENGTH },
        { name: MILVUS_FIELDS.vector, data_type: DataType.FloatVector, dim: spec.dimension },
      ],
      consistency_level: settings.consistency as 'Strong',
    }))
    const params = indexType === 'HNSW' ? { M: settings.m, efConstruction: settings.efConstruction } : indexType === 'IVF_FLAT' ? { nlist: settings.nlist } : {}
    await callMilvus(`create index on ${collection}`, () => this.client.createIndex({
      collection_name: collection, field_name: MILVUS_FIELDS.vector, index_type: indexType, metric_type: MILVUS_METRIC[spec.metric], params,
    }))
    await callMilvus(`load ${collection}`, () => this.client.loadCollection({ collection_name: collection }))
    // HNSW refuses an ef below the k asked for: a query for more neighbours than efSearch searches with ef = k.
    const searchParams = (k: number): Record<string, number> => indexType === 'HNSW' ? { ef: Math.max(settings.efSearch, k) } : indexType === 'IVF_FLAT' ? { nprobe: settings.nprobe } : {}
    return new MilvusIndex(this.client, collection, spec, searchParams)
  }

  async dropIndex(name: string): Promise<void> {
    checkSpec({ name, dimension: 1, metric: 'l2' })
    const collection = milvusCollectionName(name)
    // Not the client's hasCollection: it answers false for any failure (a wrong token included).
    const described = await this.client.describeCollection({ collection_name: collection })
    if (described.status.code === COLLECTION_NOT_FOUND || described.status.error_code === 'CollectionNotExists') return
    checkMilvus(`describe collection ${collection}`, described)
    await callMilvus(`drop collection ${collection}`, () => this.client.dropCollection({ collection_name: collection }))
  }

  async close(): Promise<void> {
    await this.client.closeConnection()
  }
}
