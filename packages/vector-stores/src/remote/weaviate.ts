import weaviate, { generateUuid5, type Collection, type WeaviateClient } from 'weaviate-client'
import { checkDimension, checkSpec, lastById, readSettings } from '../settings'
import type { IndexSpec, IndexStats, Match, Metric, VectorIndex, VectorRecord, VectorStore } from '../types'

/**
 * Weaviate's HNSW settings (its defaults): `m` is `maxConnections`, `efConstruction`
 * as named, `efSearch` is the collection's `ef` (-1: Weaviate's dynamic ef, between
 * `dynamicEfMin` 100 and `dynamicEfMax` 500 at 8 times the limit). The seed's grid is
 * `efConstruction` 200/500 with cosine or l2.
 */
export const WEAVIATE_DEFAULTS = { m: 32, efConstruction: 128, efSearch: -1 }

const WEAVIATE_DISTANCE: Record<Metric, 'cosine' | 'l2-squared' | 'dot'> = { cosine: 'cosine', l2: 'l2-squared', ip: 'dot' }

/** Weaviate distances to `Match.score`: cosine distance is 1 - cosine similarity, `dot` is minus the dot product, `l2-squared` the squared distance. */
export function weaviateScore(metric: Metric, distance: number): number {
  return metric === 'cosine' ? 1 - distance : -distance
}

/** Weaviate collection names start with a capital letter (Weaviate capitalises them itself). */
export function weaviateCollectionName(name: string): string {
  return `Vs_${name}`
}

/** Weaviate object ids are UUIDs: the record's id maps to a name-based UUID (v5), and is kept as the `key` property. */
export function weaviateObjectId(id: string): string {
  return generateUuid5(id)
}

/** The named vector each collection holds. */
export const WEAVIATE_VECTOR = 'embedding'

/** Objects per `insertMany` (one gRPC BatchObjects request; Weaviate caps a message at 10 MB: 1,000 vectors of 1,536 floats are 6 MB). */
const BATCH = 1000
/** Ids per delete request: a `containsAny` filter on `_id`, within Weaviate's QUERY_MAXIMUM_RESULTS (10,000). */
const DELETE_BATCH = 1000

type WeaviateProperties = { key: string; intent: string }

export class WeaviateIndex implements VectorIndex {
  constructor(readonly native: Collection<WeaviateProperties>, readonly spec: IndexSpec) {}

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const unique = lastById(records)
    for (const record of unique) checkDimension(this.spec, record.vector)
    for (let start = 0; start < unique.length; start += BATCH) {
      const batch = unique.slice(start, start + BATCH)
      // A batch with an existing object's id replaces it: Weaviate's batch import is an upsert.
      const result = await this.native.data.insertMany(batch.map((record) => ({
        id: weaviateObjectId(record.id),
        properties: { key: record.id, intent: record.label },
        vectors: { [WEAVIATE_VECTOR]: Array.from(record.vector) },
      })))
      if (result.hasErrors) {
        const errors = Object.values(result.errors)
        throw new Error(`weaviate collection ${this.native.name}: ${errors.length} of ${batch.length} objects refused: ${errors[0]?.message}`)
      }
    }
  }

  /** Weaviate adds each object to its HNSW graph as the batch is written (unless the server runs with ASYNC_INDEXING): nothing is deferred. */
  async optimize(): Promise<void> {}

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    checkDimension(this.spec, vector)
    const { objects } = await this.native.query.nearVector(Array.from(vector), {
      limit: k, targetVector: WEAVIATE_VECTOR, returnMetadata: ['distance'], returnProperties: ['key', 'intent'],
    })
    return objects.map((object) => ({
      id: object.properties.key, label: object.properties.intent, score: weaviateScore(this.spec.metric, object.metadata?.distance ?? Number.NaN),
    }))
  }

  async stats(): Promise<IndexStats> {
    const { totalCount } = await this.native.aggregate.overAll()
    return { count: totalCount, dimension: this.spec.dimension, metric: this.spec.metric, bytes: null }
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += DELETE_BATCH) {
      const uuids = ids.slice(start, start + DELETE_BATCH).map(weaviateObjectId)
      const result = await this.native.data.deleteMany(this.native.filter.byId().containsAny(uuids))
      if (result.failed > 0) throw new Error(`weaviate collection ${this.native.name}: ${result.failed} of ${result.matches} deletes failed`)
    }
  }
}

export interface WeaviateStoreOptions {
  /** The REST endpoint: `http://localhost:8080` for the Docker image, `https://<cluster>.weaviate.cloud` for Weaviate Cloud, or a test server's. */
  httpUrl: string
  /** The gRPC endpoint (queries, batch imports, counts and deletes go over gRPC): `http://localhost:50051` for Docker, `https://grpc-<cluster>.weaviate.cloud` for the cloud. */
  grpcUrl: string
  /** Sent as `Authorization: Bearer` on REST and gRPC; absent for an anonymous local server. */
  apiKey?: string
}

/** Where a Weaviate serves gRPC when only its REST endpoint is known: Weaviate Cloud at `grpc-<host>:443`, a self-hosted one on port 50051 of the same host. */
export function weaviateGrpcUrl(httpUrl: string): string {
  const url = new URL(httpUrl)
  if (/\.weaviate\.(cloud|network)$/.test(url.hostname)) return `https://grpc-${url.hostname}`
  return `http://${url.hostname}:50051`
}

function endpoint(value: string): { host: string; port: number; secure: boolean } {
  const url = new URL(value)
  const secure = url.protocol === 'https:'
  return { host: url.hostname, port: url.port === '' ? (secure ? 443 : 80) : Number(url.port), secure }
}

/**
 * Weaviate through its official client (`weaviate-client` v3): one collection per
 * spec, with a self-provided named vector on an HNSW index, the record's id and intent
 * as text properties. The v3 client speaks REST for the schema (create, delete, meta)
 * and gRPC for everything on the data: batch import, near-vector search, the count
 * (aggregate) and delete by filter. There is no REST-only mode in v3.
 */
export class WeaviateStore implements VectorStore {
  readonly name = 'weaviate'
  private connecting?: Promise<WeaviateClient>

  constructor(private readonly options: WeaviateStoreOptions) {}

  /** The client, connected on first use (the connection checks the server's version and gRPC health). */
  client(): Promise<WeaviateClient> {
    if (!this.connecting) {
      const http = endpoint(this.options.httpUrl)
      const grpc = endpoint(this.options.grpcUrl)
      this.connecting = weaviate.connectToCustom({
        httpHost: http.host, httpPort: http.port, httpSecure: http.secure,
        grpcHost: grpc.host, grpcPort: grpc.port, grpcSecure: grpc.secure,
        ...(this.options.apiKey ? { authCredentials: new weaviate.ApiKey(this.options.apiKey) } : {}),
      })
      this.connecting.catch(() => {
        this.connecting = undefined
      })
    }
    return this.connecting
  }

  async createIndex(spec: IndexSpec): Promise<WeaviateIndex> {
    checkSpec(spec)
    const settings = readSettings('weaviate', spec, WEAVIATE_DEFAULTS)
    await this.dropIndex(spec.name)
    const client = await this.client()
    const name = weaviateCollectionName(spec.name)
    await client.collections.create<WeaviateProperties>({
      name,
      properties: [{ name: 'key', dataType: 'text' }, { name: 'intent', dataType: 'text' }],
      vectorizers: weaviate.configure.vectors.selfProvided({
        name: WEAVIATE_VECTOR,
        vectorIndexConfig: weaviate.configure.vectorIndex.hnsw({
          distanceMetric: WEAVIATE_DISTANCE[spec.metric], maxConnections: settings.m, efConstruction: settings.efConstruction, ef: settings.efSearch,
        }),
      }),
    })
    return new WeaviateIndex(client.collections.use<string, WeaviateProperties>(name), spec)
  }

  async dropIndex(name: string): Promise<void> {
    checkSpec({ name, dimension: 1, metric: 'l2' })
    const client = await this.client()
    const collection = weaviateCollectionName(name)
    if (await client.collections.exists(collection)) await client.collections.delete(collection)
  }

  async close(): Promise<void> {
    const connecting = this.connecting
    this.connecting = undefined
    if (connecting) await (await connecting.catch(() => undefined))?.close()
  }
}
