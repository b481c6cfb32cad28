import type { VectorArm } from './run-arm'

/**
 * The seed's settings for the remote stores, run where their endpoints are set (else
 * their runs are skipped, saying which setting is missing): Pinecone serverless with
 * cosine and euclidean (the dimension is the encoder's); Weaviate HNSW with cosine and
 * l2, efConstruction 200 and 500; Milvus HNSW, and IVF_FLAT with nlist 100 and 1000
 * searching a tenth of its lists, with L2 and IP (the seed's ANNOY is not a Milvus 2.3+
 * index).
 */
export const REMOTE_ARMS: readonly VectorArm[] = [
  ...(['cosine', 'l2'] as const).map((metric): VectorArm => ({ store: 'pinecone', metric, settings: {} })),
  ...(['cosine', 'l2'] as const).flatMap((metric) => [200, 500].map((efConstruction): VectorArm => ({ store: 'weaviate', metric, settings: { efConstruction } }))),
  ...(['l2', 'ip'] as const).flatMap((metric): VectorArm[] => [
    { store: 'milvus', metric, settings: { index: 'hnsw', m: 16, efConstruction: 200, efSearch: 64 } },
    { store: 'milvus', metric, settings: { index: 'ivf_flat', nlist: 100, nprobe: 10 } },
    { store: 'milvus', metric, settings: { index: 'ivf_flat', nlist: 1000, nprobe: 100 } },
  ]),
]

/**
 * The `vector` preset's arms: every store that runs here with the seed's settings
 * (FAISS factories Flat, IVF100,PQ8 and HNSW32 with L2 and inner product; Chroma's
 * `hnsw:space` cosine; pgvector's HNSW and IVFFlat), plus usearch and LanceDB, and exact
 * search as the reference. Query-time knobs the seed leaves open are set where the
 * library's default would make the arm a different experiment: FAISS IVF searches 10 of
 * its 100 lists (its default, 1, is a 1% scan), pgvector IVFFlat 10 of 100. Then the
 * remote stores' arms (REMOTE_ARMS), skipped where their endpoints are not set.
 */
export const VECTOR_ARMS: readonly VectorArm[] = [
  { store: 'exact', metric: 'cosine', settings: {} },
  ...(['l2', 'ip'] as const).flatMap((metric): VectorArm[] => [
    { store: 'faiss', metric, settings: { factory: 'Flat' } },
    { store: 'faiss', metric, settings: { factory: 'IVF100,PQ8', nprobe: 10 } },
    { store: 'faiss', metric, settings: { factory: 'HNSW32', efSearch: 64 } },
  ]),
  { store: 'usearch', metric: 'cosine', settings: { m: 16, efConstruction: 128, efSearch: 64 } },
  { store: 'pgvector', metric: 'cosine', settings: { index: 'hnsw', m: 16, efConstruction: 64, efSearch: 40 } },
  { store: 'pgvector', metric: 'cosine', settings: { index: 'ivfflat', lists: 100, probes: 10 } },
  { store: 'lancedb', metric: 'cosine', settings: { index: 'ivf_flat', partitions: 100, nprobes: 10 } },
  { store: 'chroma', metric: 'cosine', settings: { m: 16, efConstruction: 100, efSearch: 100 } },
  ...REMOTE_ARMS,
]

/** The quick preset (the demo's): one arm per store, the HNSW-type ones, on 200 queries. */
export const VECTOR_QUICK_ARMS: readonly VectorArm[] = [
  { store: 'exact', metric: 'cosine', settings: {} },
  { store: 'faiss', metric: 'l2', settings: { factory: 'Flat' } },
  { store: 'faiss', metric: 'l2', settings: { factory: 'HNSW32', efSearch: 64 } },
  { store: 'usearch', metric: 'cosine', settings: { m: 16, efConstruction: 128, efSearch: 64 } },
  { store: 'pgvector', metric: 'cosine', settings: { index: 'hnsw', m: 16, efConstruction: 64, efSearch: 40 } },
  { store: 'lancedb', metric: 'cosine', settings: { index: 'ivf_flat', partitions: 100, nprobes: 10 } },
  { store: 'chroma', metric: 'cosine', settings: { m: 16, efConstruction: 100, efSearch: 100 } },
]

/** An arm as one line: `faiss HNSW32 l2 efSearch=64`. */
export function describeArm(arm: VectorArm): string {
  const { factory, index, ...rest } = arm.settings as Record<string, unknown>
  const kind = factory ?? index ?? ''
  const knobs = Object.entries(rest).map(([key, value]) => `${key}=${String(value)}`).join(' ')
  return [arm.store, kind, arm.metric, knobs].filter((part) => part !== '').join(' ')
}
