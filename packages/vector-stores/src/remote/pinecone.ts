import { Pinecone, type Index } from '@pinecone-database/pinecone'
import { checkDimension, checkSpec, lastById, readSettings } from '../settings'
import type { IndexSpec, IndexStats, Match, Metric, VectorIndex, VectorRecord, VectorStore } from '../types'

/** Pinecone serverless: where the index lives. Pinecone chooses and tunes the index itself; there is nothing else to set. */
export const PINECONE_DEFAULTS = { cloud: 'aws', region: 'us-east-1' }

const PINECONE_METRIC: Record<Metric, 'cosine' | 'euclidean' | 'dotproduct'> = { cosine: 'cosine', l2: 'euclidean', ip: 'dotproduct' }

/** Pinecone scores to `Match.score`: cosine similarity and the dot product as they are; euclidean is the squared distance, lower nearer. */
export function pineconeScore(metric: Metric, score: number): number {
  return metric === 'l2' ? -score : score
}

/** Pinecone index names: lower-case letters, digits and hyphens. */
export function pineconeIndexName(name: string): string {
  return `vs-${name.replaceAll('_', '-')}`
}

/** Records per upsert request: Pinecone caps a request at 2 MB (about 250 vectors of 1,536 dimensions). */
const UPSERT_BATCH = 200

export class PineconeIndex implements VectorIndex {
  /** What this adapter has written, for `optimize` to wait on: Pinecone serverless is eventually consistent. */
  private readonly ids = new Set<string>()

  constructor(readonly native: Index, readonly spec: IndexSpec, private readonly freshnessTimeoutMs: number) {}

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const unique = lastById(records)
    for (const record of unique) checkDimension(this.spec, record.vector)
    for (let start = 0; start < unique.length; start += UPSERT_BATCH) {
      const batch = unique.slice(start, start + UPSERT_BATCH)
      await this.native.upsert({ records: batch.map((record) => ({ id: record.id, values: Array.from(record.vector), metadata: { intent: record.label } })) })
      for (const record of batch) this.ids.add(record.id)
    }
  }

  /** Waits until the index counts what was written (serverless indexes writes asynchronously): the index is built when queries see it all. */
  async optimize(): Promise<void> {
    const deadline = Date.now() + this.freshnessTimeoutMs
    while ((await this.stats()).count !== this.ids.size) {
      if (Date.now() > deadline) throw new Error(`pinecone index ${this.spec.name}: ${this.ids.size} records written, the index does not count them after ${this.freshnessTimeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    checkDimension(this.spec, vector)
    const { matches } = await this.native.query({ vector: Array.from(vector), topK: k, includeMetadata: true })
    return matches.map((match) => ({ id: match.id, label: String(match.metadata?.intent ?? ''), score: pineconeScore(this.spec.metric, match.score ?? Number.NaN) }))
  }

  async stats(): Promise<IndexStats> {
    const stats = await this.native.describeIndexStats()
    return { count: stats.totalRecordCount ?? 0, dimension: this.spec.dimension, metric: this.spec.metric, bytes: null }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    await this.native.deleteMany({ ids: [...ids] })
    for (const id of ids) this.ids.delete(id)
  }
}

export interface PineconeStoreOptions {
  apiKey: string
  /** The control plane: Pinecone's (`https://api.pinecone.io`, the default), Pinecone Local's, or a test server's. */
  controllerHostUrl?: string
  freshnessTimeoutMs?: number
}

/** Pinecone through its official client (`@pinecone-database/pinecone`): serverless indexes, one per spec. */
export class PineconeStore implements VectorStore {
  readonly name = 'pinecone'
  readonly client: Pinecone

  constructor(private readonly options: PineconeStoreOptions) {
    this.client = new Pinecone({ apiKey: options.apiKey, ...(options.controllerHostUrl ? { controllerHostUrl: options.controllerHostUrl } : {}) })
  }

  async createIndex(spec: IndexSpec): Promise<PineconeIndex> {
    checkSpec(spec)
    const settings = readSettings('pinecone', spec, PINECONE_DEFAULTS)
    await this.dropIndex(spec.name)
    const name = pineconeIndexName(spec.name)
    await this.client.createIndex({
      name, dimension: spec.dimension, metric: PINECONE_METRIC[spec.metric],
      spec: { serverless: { cloud: settings.cloud as 'aws', region: settings.region } }, waitUntilReady: true,
    })
    const { host } = await this.client.describeIndex(name)
    return new PineconeIndex(this.client.index(name, host), spec, this.options.freshnessTimeoutMs ?? 60_000)
  }

  async dropIndex(name: string): Promise<void> {
    checkSpec({ name, dimension: 1, metric: 'l2' })
    try {
      await this.client.deleteIndex(pineconeIndexName(name))
    } catch (error) {
      if ((error as Error).name !== 'PineconeNotFoundError') throw error
    }
  }

  async close(): Promise<void> {}
}
