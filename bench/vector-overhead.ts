/**
 * Our adapters against the libraries they wrap: the same index answers the same
 * queries once through `VectorIndex.query` and once through the library's own call,
 * interleaved query by query (alternating which goes first) so that load on a shared
 * machine stretches both alike. The direct call does only what a caller of the library
 * must (the search and reading its results), not our id/label mapping and score
 * conversion: that is the overhead measured.
 */
import { PGlite } from '@electric-sql/pglite'
import { vector as pgvectorExtension } from '@electric-sql/pglite-pgvector'
import { latencySummary } from '@bankbench/metrics'
import {
  ChromaStore, FaissStore, LancedbStore, loadFaiss, PgvectorStore, startLocalChroma, UsearchStore,
  type IndexSpec, type VectorIndex, type VectorRecord,
} from '@bankbench/vector-stores'

const K = 10
const WARMUP = 30

interface Pair {
  name: string
  adapter: VectorIndex
  direct: (query: Float32Array) => Promise<unknown> | unknown
  close: () => Promise<void>
}

export async function measureOverhead(records: readonly VectorRecord[], queries: readonly Float32Array[]): Promise<string[]> {
  const dimension = records[0]!.vector.length
  const spec = (settings: Record<string, unknown>): IndexSpec => ({ name: 'overhead', dimension, metric: 'cosine', settings })
  const lines: string[] = []
  const builders: (() => Promise<Pair>)[] = [
    async () => {
      const index = await new UsearchStore().createIndex(spec({ m: 16, efConstruction: 128, efSearch: 64 }))
      await index.upsert(records)
      return { name: 'usearch (HNSW)', adapter: index, direct: (query) => index.native.search(query, K, 1), close: async () => {} }
    },
    ...('reason' in loadFaiss() ? [] : [async (): Promise<Pair> => {
      const index = await new FaissStore().createIndex({ ...spec({ factory: 'HNSW32', efSearch: 64 }), metric: 'l2' })
      await index.upsert(records)
      return { name: 'faiss (HNSW32)', adapter: index, direct: (query) => index.native.search(query, K), close: async () => {} }
    }]),
    async () => {
      const db = await PGlite.create({ extensions: { vector: pgvectorExtension } })
      const store = new PgvectorStore(db, () => db.close())
      const index = await store.createIndex(spec({ index: 'hnsw' }))
      await index.upsert(records)
      await index.optimize()
      const sql = `SELECT id, label, embedding <=> $1::vector AS distance FROM "vs_overhead" ORDER BY embedding <=> $1::vector LIMIT ${K}`
      return { name: 'pgvector (PGlite, HNSW)', adapter: index, direct: (query) => db.query(sql, [`[${Array.prototype.join.call(query, ',')}]`]), close: () => store.close() }
    },
    async () => {
      const store = new LancedbStore()
      const index = await store.createIndex(spec({ index: 'ivf_flat', partitions: 100, nprobes: 10 }))
      await index.upsert(records)
      await index.optimize()
      return {
        name: 'lancedb (IVF-flat)', adapter: index,
        direct: (query) => index.table.vectorSearch(query).distanceType('cosine').nprobes(10).select(['id', 'label', '_distance']).limit(K).toArray(),
        close: () => store.close(),
      }
    },
    async () => {
      const server = await startLocalChroma()
      const store = new ChromaStore(server, server.stop)
      const index = await store.createIndex(spec({}))
      await index.upsert(records)
      return {
        name: 'chroma (local server)', adapter: index,
        direct: (query) => index.collection.query({ queryEmbeddings: [Array.from(query)], nResults: K, include: ['metadatas', 'distances'] }),
        close: () => store.close(),
      }
    },
  ]
  for (const build of builders) {
    const pair = await build()
    try {
      for (let i = 0; i < Math.min(WARMUP, queries.length); i++) {
        await pair.adapter.query(queries[i]!, K)
        await pair.direct(queries[i]!)
      }
      const adapterMs: number[] = []
      const directMs: number[] = []
      for (const [i, query] of queries.entries()) {
        const order = i % 2 === 0 ? ['adapter', 'direct'] : ['direct', 'adapter']
        for (const which of order) {
          const start = performance.now()
          if (which === 'adapter') await pair.adapter.query(query, K)
          else await pair.direct(query)
          ;(which === 'adapter' ? adapterMs : directMs).push(performance.now() - start)
        }
      }
      const ours = latencySummary(adapterMs)
      const theirs = latencySummary(directMs)
      const ratio = ours.p50Ms / theirs.p50Ms
      lines.push(`  ${pair.name.padEnd(26)} adapter p50 ${ours.p50Ms.toFixed(3)} ms  direct p50 ${theirs.p50Ms.toFixed(3)} ms  ratio ${ratio.toFixed(2)}x ${ratio <= 1.2 ? '(<= 1.2x)' : '(over 1.2x)'}  [mean ${ours.meanMs.toFixed(3)} / ${theirs.meanMs.toFixed(3)} ms]`)
    } finally {
      await pair.close()
    }
  }
  return lines
}
