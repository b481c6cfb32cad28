import { DataType } from '@zilliz/milvus2-sdk-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkMilvus, MilvusIndex, MilvusStore } from './milvus'
import { startMilvusProtocolServer, type MilvusProtocolServer } from './milvus-protocol-server'

const vector = (...values: number[]) => Float32Array.from(values)

/** What the adapter sends through the official client (gRPC); the contract suite checks what it gets back. */
describe('the Milvus adapter on the wire', () => {
  let server: MilvusProtocolServer
  let store: MilvusStore
  beforeAll(async () => {
    server = await startMilvusProtocolServer()
    store = new MilvusStore({ address: server.address, token: server.token })
  })
  afterAll(async () => {
    await store.close()
    await server.stop()
  })

  it('creates, indexes and loads a collection, then upserts, flushes, searches, counts and deletes', async () => {
    const index = await store.createIndex({ name: 'wire_test', dimension: 3, metric: 'l2' })
    await index.upsert([{ id: 'a', label: 'card', vector: vector(1, 0, 0) }, { id: 'b"quoted', label: 'rate', vector: vector(0, 1, 0) }])
    await index.optimize()
    expect(await index.query(vector(0.9, 0, 0), 1)).toEqual([{ id: 'a', label: 'card', score: expect.closeTo(-0.01, 6) }])
    expect((await index.stats()).count).toBe(2)
    await index.delete(['a', 'b"quoted'])
    expect((await index.stats()).count).toBe(0)
    await store.dropIndex('wire_test')
    expect(server.requests).toEqual(expect.arrayContaining([
      'Connect', 'DescribeCollection', 'CreateCollection', 'CreateIndex', 'LoadCollection', 'GetLoadingProgress', 'Upsert', 'Flush', 'GetFlushState',
      'DescribeIndex', 'Search', 'Query', 'Delete', 'DropCollection',
    ]))
  })

  it('builds the index asked for: HNSW with M and efConstruction, IVF_FLAT with nlist, under the metric', async () => {
    await store.createIndex({ name: 'hnsw_test', dimension: 3, metric: 'cosine', settings: { index: 'hnsw', m: 32, efConstruction: 500 } })
    await store.createIndex({ name: 'ivf_test', dimension: 3, metric: 'ip', settings: { index: 'ivf_flat', nlist: 1000, nprobe: 10 } })
    const described = async (collection: string) => {
      const { index_descriptions: [index] } = checkMilvus('describe', await store.client.describeIndex({ collection_name: collection, field_name: 'vector' }))
      return Object.fromEntries(index!.params.map((pair) => [pair.key, pair.value]))
    }
    expect(await described('vs_hnsw_test')).toMatchObject({ index_type: 'HNSW', metric_type: 'COSINE', params: JSON.stringify({ M: 32, efConstruction: 500 }) })
    expect(await described('vs_ivf_test')).toMatchObject({ index_type: 'IVF_FLAT', metric_type: 'IP', params: JSON.stringify({ nlist: 1000 }) })
    await expect(store.createIndex({ name: 'annoy_test', dimension: 3, metric: 'l2', settings: { index: 'annoy' } })).rejects.toThrow(/ANNOY is not an index type of Milvus/)
  })

  it("surfaces the server's errors with Milvus' reason: another dimension than the schema's, a query on a dropped collection, a wrong token", async () => {
    const index = await store.createIndex({ name: 'errors_test', dimension: 3, metric: 'cosine' })
    await index.upsert([{ id: 'a', label: 'card', vector: vector(1, 0, 0) }])
    // The adapter checks dimensions itself; a handle with another spec (a second writer) reaches the server, which refuses.
    const other = new MilvusIndex(index.client, index.collection, { ...index.spec, dimension: 4 }, () => ({ ef: 64 }))
    await expect(other.upsert([{ id: 'b', label: 'rate', vector: vector(0, 1, 0, 0) }])).rejects.toThrow('milvus upsert into vs_errors_test: the length(4) of float data should divide the dim(3)')
    await expect(other.query(vector(0, 1, 0, 0), 1)).rejects.toThrow('milvus search vs_errors_test: the dimension of the vector_field (vector) is 3, but the dimension of the query vector is 4')
    await store.dropIndex('errors_test')
    await expect(index.query(vector(1, 0, 0), 1)).rejects.toThrow(/collection not found\[database=default\]\[collection=vs_errors_test\]/)

    const intruder = new MilvusStore({ address: server.address, token: 'root:wrong' })
    await expect(intruder.createIndex({ name: 'errors_test', dimension: 3, metric: 'cosine' })).rejects.toThrow(/auth check failure/)
    await intruder.close()
  })

  it('answers requests Milvus would refuse as Milvus does', async () => {
    const { client } = store
    const fields = [
      { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: 8 },
      { name: 'vector', data_type: DataType.FloatVector, dim: 3 },
    ]
    checkMilvus('create', await client.createCollection({ collection_name: 'raw', fields }))
    expect((await client.createIndex({ collection_name: 'raw', field_name: 'vector', index_type: 'ANNOY', metric_type: 'L2', params: {} })).reason).toMatch(/invalid index type: ANNOY/)
    expect((await client.createIndex({ collection_name: 'raw', field_name: 'vector', index_type: 'HNSW', metric_type: 'HAMMING', params: {} })).reason).toMatch(/metric type HAMMING not found/)
    expect((await client.upsert({ collection_name: 'raw', data: [{ id: 'x'.repeat(9), vector: [1, 0, 0] }] })).status.reason).toMatch(/exceeds max length/)
    checkMilvus('index', await client.createIndex({ collection_name: 'raw', field_name: 'vector', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } }))
    expect((await client.search({ collection_name: 'raw', data: [1, 0, 0], limit: 5 })).status.reason).toMatch(/collection not loaded/)
    checkMilvus('load', await client.loadCollection({ collection_name: 'raw' }))
    expect((await client.search({ collection_name: 'raw', data: [1, 0, 0], limit: 5, params: { ef: 2 } })).status.reason).toMatch(/ef\(2\) should be larger than k\(5\)/)
    expect((await client.search({ collection_name: 'raw', data: [1, 0, 0], limit: 5, filter: 'colour == "red"' })).status.reason).toMatch(/field colour not exist/)
    expect((await client.delete({ collection_name: 'raw', filter: 'id in ["a"' })).status.reason).toMatch(/cannot parse expression/)
  })
})
