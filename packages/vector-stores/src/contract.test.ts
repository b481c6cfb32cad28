/**
 * The VectorStore contract, run against every adapter whose store runs here, for real:
 * the same records, the same queries, the exact store's answers as the reference. A
 * store's distance convention wrongly converted, an upsert that duplicates, a delete
 * that leaves rows: each fails here for the store that does it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChromaStore } from './chroma'
import { startLocalChroma } from './chroma-server'
import { ExactIndex, ExactStore } from './exact'
import { FaissStore, loadFaiss } from './faiss'
import { LancedbStore } from './lancedb'
import { pgliteVectorStore } from './pgvector'
import { MilvusStore } from './remote/milvus'
import { startMilvusProtocolServer } from './remote/milvus-protocol-server'
import { PineconeStore } from './remote/pinecone'
import { startPineconeProtocolServer } from './remote/pinecone-protocol-server'
import { WeaviateStore } from './remote/weaviate'
import { startWeaviateProtocolServer } from './remote/weaviate-protocol-server'
import { openStore, unavailable } from './benchmark/stores'
import { clusteredRecords } from './testing'
import { METRICS, type Metric, type VectorIndex, type VectorStore } from './types'
import { UsearchStore } from './usearch'

interface Subject {
  name: string
  /** Why the store cannot run on this machine, if it cannot (the suite then says so instead of passing). */
  unavailable?: string
  /** The index trains on its data (FAISS IVF: at least as many vectors as lists), so it cannot answer from 2 or 3 vectors. */
  trainsOnData?: boolean
  open(): Promise<VectorStore>
  /** Settings that search (nearly) exhaustively on 300 vectors, so results can be held to exact search. */
  settings: Record<string, unknown>
}

const SUBJECTS: Subject[] = [
  { name: 'exact', open: async () => new ExactStore(), settings: {} },
  ...[{ factory: 'Flat' }, { factory: 'IVF8,Flat', nprobe: 8 }, { factory: 'HNSW32', efSearch: 128 }].map((settings) => ({
    name: `faiss (${settings.factory})`,
    trainsOnData: settings.factory.startsWith('IVF'),
    unavailable: 'reason' in loadFaiss() ? (loadFaiss() as { reason: string }).reason : undefined,
    open: async () => new FaissStore(),
    settings,
  })),
  { name: 'usearch', open: async () => new UsearchStore(), settings: { efSearch: 128 } },
  { name: 'pgvector (PGlite, HNSW)', open: pgliteVectorStore, settings: { index: 'hnsw', efSearch: 200 } },
  { name: 'pgvector (PGlite, IVFFlat)', open: pgliteVectorStore, settings: { index: 'ivfflat', lists: 8, probes: 8 } },
  { name: 'lancedb (flat scan)', open: async () => new LancedbStore(), settings: { index: 'none' } },
  { name: 'lancedb (IVF-flat)', open: async () => new LancedbStore(), settings: { index: 'ivf_flat', partitions: 4, nprobes: 4 } },
  {
    name: 'pinecone (official client, local protocol server)',
    open: async () => {
      const server = await startPineconeProtocolServer()
      const store = new PineconeStore({ apiKey: server.apiKey, controllerHostUrl: server.url })
      return Object.assign(store, { close: () => server.stop() })
    },
    settings: {},
  },
  {
    name: 'weaviate (official client, local REST + gRPC protocol server)',
    open: async () => {
      const server = await startWeaviateProtocolServer()
      const store = new WeaviateStore({ httpUrl: server.httpUrl, grpcUrl: server.grpcUrl, apiKey: server.apiKey })
      const close = store.close.bind(store)
      return Object.assign(store, { close: () => close().then(() => server.stop()) })
    },
    settings: {},
  },
  ...[{ index: 'hnsw', efSearch: 64 }, { index: 'ivf_flat', nlist: 8, nprobe: 8 }].map((settings) => ({
    name: `milvus ${settings.index} (official client, local gRPC protocol server)`,
    open: async () => {
      const server = await startMilvusProtocolServer()
      const store = new MilvusStore({ address: server.address, token: server.token })
      const close = store.close.bind(store)
      return Object.assign(store, { close: () => close().then(() => server.stop()) })
    },
    settings,
  })),
  // The real services, where their settings name one (Pinecone, Pinecone Local, a Weaviate or Milvus in Docker, the clouds).
  ...([['pinecone', {}], ['weaviate', {}], ['milvus', { index: 'hnsw', efSearch: 64 }]] as const).map(([store, settings]) => ({
    name: `${store} (the real one its settings name)`,
    unavailable: unavailable(store),
    open: async () => (await openStore(store)).store,
    settings,
  })),
  {
    name: 'chroma (local server)',
    open: async () => {
      const server = await startLocalChroma()
      return new ChromaStore(server, server.stop)
    },
    settings: { efSearch: 200 },
  },
]

const DIMENSION = 16
const RECORDS = clusteredRecords({ count: 300, dimension: DIMENSION, clusters: 6, seed: 13 })
const QUERIES = clusteredRecords({ count: 12, dimension: DIMENSION, clusters: 6, seed: 13 }).map((record, i) => {
  // The same centres as RECORDS (same seed), with a different draw of noise.
  const noise = RECORDS[(i * 37) % RECORDS.length]!.vector
  return Float32Array.from(record.vector, (value, j) => value * 0.7 + noise[j]! * 0.3)
})

function reference(metric: Metric): ExactIndex {
  const index = new ExactIndex({ name: 'reference', dimension: DIMENSION, metric })
  index.upsertSync(RECORDS)
  return index
}

async function loaded(store: VectorStore, name: string, metric: Metric, settings: Record<string, unknown>): Promise<VectorIndex> {
  const index = await store.createIndex({ name, dimension: DIMENSION, metric, settings })
  for (let start = 0; start < RECORDS.length; start += 128) await index.upsert(RECORDS.slice(start, start + 128))
  await index.optimize()
  return index
}

describe.each(SUBJECTS)('$name satisfies the VectorStore contract', (subject) => {
  if (subject.unavailable) {
    it.skip(`cannot run here: ${subject.unavailable}`, () => {})
    return
  }
  let store: VectorStore
  let serial = 0
  const name = () => `contract_${++serial}`

  beforeAll(async () => {
    store = await subject.open()
  })
  afterAll(async () => {
    await store?.close()
  })

  describe.each(METRICS)('metric %s', (metric) => {
    it('returns the exact top 10, nearest first, with exact-search scores and labels', async () => {
      const index = await loaded(store, name(), metric, subject.settings)
      const exact = reference(metric)
      let found = 0
      for (const query of QUERIES) {
        const expected = exact.querySync(query, 10)
        const matches = await index.query(query, 10)
        expect(matches).toHaveLength(10)
        const scores = matches.map((match) => match.score)
        expect(scores).toEqual([...scores].sort((a, b) => b - a))
        const expectedById = new Map(expected.map((match) => [match.id, match]))
        for (const match of matches) {
          const twin = expectedById.get(match.id)
          if (!twin) continue
          found++
          expect(match.label).toBe(twin.label)
          expect(match.score).toBeCloseTo(twin.score, metric === 'cosine' ? 4 : 2)
        }
      }
      // Approximate stores may miss a neighbour on a tie or a graph edge; on 300 vectors with these settings they should not miss more.
      expect(found / (QUERIES.length * 10)).toBeGreaterThanOrEqual(0.95)
    })

    it('finds a stored vector as its own nearest neighbour', async () => {
      if (metric === 'ip') return // Under the inner product a longer vector can beat the query itself.
      const index = await loaded(store, name(), metric, subject.settings)
      const probe = RECORDS[42]!
      const [first] = await index.query(probe.vector, 1)
      expect(first?.id).toBe(probe.id)
      expect(first?.score).toBeCloseTo(metric === 'cosine' ? 1 : 0, 4)
    })
  })

  it('counts what it holds, replaces on upsert by id, and forgets deleted ids', async () => {
    const index = await loaded(store, name(), 'cosine', subject.settings)
    expect(await index.stats()).toMatchObject({ count: RECORDS.length, dimension: DIMENSION, metric: 'cosine' })

    // Record r7 moves onto r100's vector with a new label: one row, not two.
    const moved = { id: 'r7', label: 'moved', vector: RECORDS[100]!.vector }
    await index.upsert([moved])
    expect((await index.stats()).count).toBe(RECORDS.length)
    const near = await index.query(RECORDS[100]!.vector, 2)
    expect(near.map((match) => match.id).sort()).toEqual(['r100', 'r7'])
    expect(near.find((match) => match.id === 'r7')?.label).toBe('moved')

    await index.delete(['r100', 'r7', 'no-such-id'])
    expect((await index.stats()).count).toBe(RECORDS.length - 2)
    const after = await index.query(RECORDS[100]!.vector, 20)
    expect(after.map((match) => match.id)).not.toContain('r100')
    expect(after.map((match) => match.id)).not.toContain('r7')
  })

  it.skipIf(subject.trainsOnData)('keeps the last of an id given twice in one batch', async () => {
    const index = await store.createIndex({ name: name(), dimension: DIMENSION, metric: 'l2', settings: subject.settings })
    await index.upsert([{ ...RECORDS[0]!, label: 'first' }, RECORDS[1]!, { ...RECORDS[0]!, label: 'second' }])
    await index.optimize().catch(() => {}) // IVF training on two vectors may refuse; the contract here is the upsert.
    expect((await index.stats()).count).toBe(2)
    expect((await index.query(RECORDS[0]!.vector, 1))[0]?.label).toBe('second')
  })

  it.skipIf(subject.trainsOnData)('returns fewer than k when it holds fewer', async () => {
    const index = await store.createIndex({ name: name(), dimension: DIMENSION, metric: 'l2', settings: subject.settings })
    await index.upsert(RECORDS.slice(0, 3))
    expect(await index.query(RECORDS[0]!.vector, 10)).toHaveLength(3)
  })

  it('reports a size in bytes, or null where the store reports none', async () => {
    const index = await loaded(store, name(), 'l2', subject.settings)
    const { bytes } = await index.stats()
    if (bytes !== null) expect(bytes).toBeGreaterThan(RECORDS.length * DIMENSION * 4 * 0.5)
  })

  it('refuses a vector of the wrong dimension and a setting it does not know', async () => {
    const index = await store.createIndex({ name: name(), dimension: DIMENSION, metric: 'l2', settings: subject.settings })
    await expect(index.upsert([{ id: 'x', label: 'x', vector: new Float32Array(DIMENSION + 1) }])).rejects.toThrow(/dimension/)
    await expect(index.query(new Float32Array(DIMENSION - 1), 1)).rejects.toThrow(/dimension/)
    await expect(store.createIndex({ name: name(), dimension: DIMENSION, metric: 'l2', settings: { ef_constructoin: 10 } })).rejects.toThrow(/unknown setting/)
  })

  it('drops an index: a new one of the same name starts empty', async () => {
    const indexName = name()
    await loaded(store, indexName, 'l2', subject.settings)
    await store.dropIndex(indexName)
    await store.dropIndex(indexName) // dropping what is not there is not an error
    const fresh = await store.createIndex({ name: indexName, dimension: DIMENSION, metric: 'l2', settings: subject.settings })
    expect((await fresh.stats()).count).toBe(0)
  })
})
