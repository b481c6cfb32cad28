import { ChromaClient, type Collection } from 'chromadb'
import { checkDimension, checkSpec, lastById, readSettings } from './settings'
import type { IndexSpec, IndexStats, Match, Metric, VectorIndex, VectorRecord, VectorStore } from './types'

/** Chroma's HNSW settings (`hnsw:space` is the spec's metric): `m` (its `max_neighbors`), `efConstruction`, `efSearch`. Chroma's defaults. */
export const CHROMA_DEFAULTS = { m: 16, efConstruction: 100, efSearch: 100 }

/** Chroma distances to `Match.score`: cosine is 1 - cos, ip is 1 - dot, l2 the squared distance. */
export function chromaScore(metric: Metric, distance: number): number {
  return metric === 'l2' ? -distance : 1 - distance
}

/** Collection names: Chroma wants at least 3 characters; the prefix keeps ours apart. */
function collectionName(name: string): string {
  return `vs_${name}`
}

export class ChromaIndex implements VectorIndex {
  constructor(readonly collection: Collection, private readonly maxBatch: number, readonly spec: IndexSpec) {}

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const unique = lastById(records)
    for (let start = 0; start < unique.length; start += this.maxBatch) {
      const batch = unique.slice(start, start + this.maxBatch)
      for (const record of batch) checkDimension(this.spec, record.vector)
      await this.collection.upsert({
        ids: batch.map((record) => record.id),
        embeddings: batch.map((record) => Array.from(record.vector)),
        metadatas: batch.map((record) => ({ intent: record.label })),
      })
    }
  }

  /** Chroma indexes as it inserts. */
  async optimize(): Promise<void> {}

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    checkDimension(this.spec, vector)
    const result = await this.collection.query({ queryEmbeddings: [Array.from(vector)], nResults: k, include: ['metadatas', 'distances'] })
    const ids = result.ids[0] ?? []
    const distances = result.distances[0] ?? []
    const metadatas = result.metadatas[0] ?? []
    return ids.map((id, i) => ({ id, label: String(metadatas[i]?.intent ?? ''), score: chromaScore(this.spec.metric, distances[i] ?? Number.NaN) }))
  }

  async stats(): Promise<IndexStats> {
    return { count: await this.collection.count(), dimension: this.spec.dimension, metric: this.spec.metric, bytes: null }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    await this.collection.delete({ ids: [...ids] })
  }
}

/**
 * Chroma through its own client (`chromadb`) against a Chroma server: the local one
 * (`startLocalChroma`) or a deployed one. Embeddings are always given (the collection
 * has no embedding function), so the client downloads no model.
 */
export class ChromaStore implements VectorStore {
  readonly name = 'chroma'
  readonly client: ChromaClient

  constructor(options: { host: string; port: number; ssl?: boolean }, private readonly onClose: () => Promise<void> = async () => {}) {
    this.client = new ChromaClient({ host: options.host, port: options.port, ssl: options.ssl ?? false })
  }

  async createIndex(spec: IndexSpec): Promise<ChromaIndex> {
    checkSpec(spec)
    const settings = readSettings('chroma', spec, CHROMA_DEFAULTS)
    await this.dropIndex(spec.name)
    const collection = await this.client.createCollection({
      name: collectionName(spec.name),
      embeddingFunction: null,
      configuration: { hnsw: { space: spec.metric, max_neighbors: settings.m, ef_construction: settings.efConstruction, ef_search: settings.efSearch } },
    })
    return new ChromaIndex(collection, await this.client.getMaxBatchSize(), spec)
  }

  async dropIndex(name: string): Promise<void> {
    checkSpec({ name, dimension: 1, metric: 'l2' })
    try {
      await this.client.deleteCollection({ name: collectionName(name) })
    } catch (error) {
      if (!/not (be )?found|does not exist/i.test((error as Error).message)) throw error
    }
  }

  async close(): Promise<void> {
    await this.onClose()
  }
}
