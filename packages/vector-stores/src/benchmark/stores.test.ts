import { afterEach, describe, expect, it, vi } from 'vitest'
import { VECTOR_STORE_ENV } from '@bankbench/core/batch-settings'
import { startMilvusProtocolServer } from '../remote/milvus-protocol-server'
import { startWeaviateProtocolServer } from '../remote/weaviate-protocol-server'
import { clusteredRecords } from '../testing'
import { exactTopK } from './reference'
import { runVectorArm, type VectorArm } from './run-arm'
import { REMOTE_STORES, remoteStoreOptions, unavailable } from './stores'

const RECORDS = clusteredRecords({ count: 200, dimension: 12, clusters: 5, seed: 2 })
const QUERIES = clusteredRecords({ count: 30, dimension: 12, clusters: 5, seed: 2, spread: 0.7 }).map((record) => ({ vector: record.vector, label: record.label }))

describe('a remote store arm', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('is unavailable until its endpoint is set, saying which setting is missing', () => {
    for (const name of ['PINECONE_API_KEY', 'WEAVIATE_URL', 'MILVUS_URI']) vi.stubEnv(name, '')
    expect(REMOTE_STORES.map((store) => unavailable(store))).toEqual([
      expect.stringMatching(/^PINECONE_API_KEY is not set/), expect.stringMatching(/^WEAVIATE_URL is not set/), expect.stringMatching(/^MILVUS_URI is not set/),
    ])
    vi.stubEnv('WEAVIATE_URL', 'unset') // the stage secret's placeholder
    expect(unavailable('weaviate')).toMatch(/^WEAVIATE_URL is not set/)
  })

  it('reads exactly the variables the indexer job definition on AWS is given', () => {
    const env = { PINECONE_API_KEY: 'pk', WEAVIATE_URL: 'https://abc.c0.europe-west3.gcp.weaviate.cloud', WEAVIATE_API_KEY: 'wk', MILVUS_URI: 'https://x.cloud.zilliz.com', MILVUS_TOKEN: 'mt' }
    expect(Object.keys(env).sort()).toEqual(Object.values(VECTOR_STORE_ENV).sort())
    expect(remoteStoreOptions('pinecone', env)).toEqual({ options: { apiKey: 'pk' } })
    expect(remoteStoreOptions('weaviate', env)).toEqual({ options: { httpUrl: env.WEAVIATE_URL, grpcUrl: 'https://grpc-abc.c0.europe-west3.gcp.weaviate.cloud', apiKey: 'wk' } })
    expect(remoteStoreOptions('milvus', env)).toEqual({ options: { address: env.MILVUS_URI, token: 'mt' } })
  })

  it('runs against the store its settings name, through the official client (Weaviate and Milvus protocol servers here)', async () => {
    const weaviate = await startWeaviateProtocolServer()
    const milvus = await startMilvusProtocolServer()
    try {
      vi.stubEnv('WEAVIATE_URL', weaviate.httpUrl)
      vi.stubEnv('WEAVIATE_GRPC_URL', weaviate.grpcUrl)
      vi.stubEnv('WEAVIATE_API_KEY', weaviate.apiKey)
      vi.stubEnv('MILVUS_URI', milvus.address)
      vi.stubEnv('MILVUS_TOKEN', milvus.token)
      const exact = exactTopK(RECORDS, QUERIES.map((query) => query.vector), 'l2', 10)
      const input = { records: RECORDS, queries: QUERIES, exact, k: 10, concurrency: 2, warmup: 2 }
      const arms: VectorArm[] = [
        { store: 'weaviate', metric: 'l2', settings: { efConstruction: 200 } },
        { store: 'milvus', metric: 'l2', settings: { index: 'ivf_flat', nlist: 100, nprobe: 10 } },
      ]
      for (const arm of arms) {
        const result = await runVectorArm(arm, input, 'remote_arm')
        expect(result).toMatchObject({ count: RECORDS.length, recallAtK: 1, memoryBytes: 0, indexBytes: null })
        expect(result.throughputQps).toBeGreaterThan(0)
      }
      expect(weaviate.requests).toContain('grpc Search')
      expect(milvus.requests).toContain('Search')
    } finally {
      await weaviate.stop()
      await milvus.stop()
    }
  })
})
