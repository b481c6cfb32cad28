import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WeaviateIndex, WeaviateStore, weaviateGrpcUrl } from './weaviate'
import { startWeaviateProtocolServer, type WeaviateProtocolServer } from './weaviate-protocol-server'

const vector = (...values: number[]) => Float32Array.from(values)

/** What the adapter sends through the official client; the contract suite checks what it gets back. */
describe('the Weaviate adapter on the wire', () => {
  let server: WeaviateProtocolServer
  let store: WeaviateStore
  beforeAll(async () => {
    server = await startWeaviateProtocolServer()
    store = new WeaviateStore({ httpUrl: server.httpUrl, grpcUrl: server.grpcUrl, apiKey: server.apiKey })
  })
  afterAll(async () => {
    await store.close()
    await server.stop()
  })

  it('creates the collection over REST, and imports, searches, counts and deletes over gRPC', async () => {
    const index = await store.createIndex({ name: 'wire_test', dimension: 3, metric: 'l2', settings: { efConstruction: 200 } })
    await index.upsert([{ id: 'a', label: 'card', vector: vector(1, 0, 0) }, { id: 'b', label: 'rate', vector: vector(0, 1, 0) }])
    await index.optimize()
    expect(await index.query(vector(0.9, 0, 0), 1)).toEqual([{ id: 'a', label: 'card', score: expect.closeTo(-0.01, 6) }])
    expect((await index.stats()).count).toBe(2)
    await index.delete(['a'])
    expect((await index.stats()).count).toBe(1)
    await store.dropIndex('wire_test')
    expect(server.requests).toEqual(expect.arrayContaining([
      'GET /v1/meta', 'grpc Check', 'POST /v1/schema', 'grpc BatchObjects', 'grpc Search', 'grpc Aggregate', 'grpc BatchDelete', 'DELETE /v1/schema/Vs_wire_test',
    ]))
    const schema = await fetch(`${server.httpUrl}/v1/schema`, { headers: { authorization: `Bearer ${server.apiKey}` } }).then((response) => response.json())
    expect(schema).toEqual({ classes: [] })
  })

  it('creates the HNSW index with the settings asked for', async () => {
    await store.createIndex({ name: 'settings_test', dimension: 3, metric: 'cosine', settings: { m: 16, efConstruction: 500, efSearch: 64 } })
    const created = await fetch(`${server.httpUrl}/v1/schema/Vs_settings_test`, { headers: { authorization: `Bearer ${server.apiKey}` } }).then((response) => response.json())
    expect(created.vectorConfig.embedding).toMatchObject({
      vectorIndexType: 'hnsw', vectorizer: { none: {} }, vectorIndexConfig: { distance: 'cosine', maxConnections: 16, efConstruction: 500, ef: 64 },
    })
    expect(created.properties.map((property: { name: string }) => property.name)).toEqual(['key', 'intent'])
  })

  it("surfaces the server's errors with its message: a vector of another length than the collection's, a dropped collection, a wrong key", async () => {
    const index = await store.createIndex({ name: 'errors_test', dimension: 3, metric: 'cosine' })
    await index.upsert([{ id: 'a', label: 'card', vector: vector(1, 0, 0) }])
    // The adapter checks dimensions itself; a handle with another spec (a second writer) reaches the server, which refuses.
    const other = new WeaviateIndex(index.native, { ...index.spec, dimension: 4 })
    await expect(other.upsert([{ id: 'b', label: 'rate', vector: vector(0, 1, 0, 0) }]))
      .rejects.toThrow('weaviate collection Vs_errors_test: 1 of 1 objects refused: insert to vector index: new node has a vector with length 4. Existing nodes have vectors with length 3')
    await expect(other.query(vector(0, 1, 0, 0), 1)).rejects.toThrow(/vector lengths don't match: 3 vs 4/)
    await store.dropIndex('errors_test')
    await expect(index.query(vector(1, 0, 0), 1)).rejects.toThrow(/could not find class Vs_errors_test in schema/)

    const intruder = new WeaviateStore({ httpUrl: server.httpUrl, grpcUrl: server.grpcUrl, apiKey: 'wrong' })
    await expect(intruder.createIndex({ name: 'errors_test', dimension: 3, metric: 'cosine' })).rejects.toThrow(/Unauthenticated.*anonymous access not enabled/)
    await intruder.close()
  })

  it('answers a schema Weaviate would refuse as Weaviate does', async () => {
    const create = (body: unknown, key = server.apiKey) => fetch(`${server.httpUrl}/v1/schema`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    })
    const hnsw = (config: Record<string, unknown>) => ({ embedding: { vectorizer: { none: {} }, vectorIndexType: 'hnsw', vectorIndexConfig: config } })
    expect((await create({ class: 'lower_case', vectorConfig: hnsw({}) })).status).toBe(422)
    expect((await create({ class: 'Vs_x', vectorConfig: hnsw({ distance: 'euclidean' }) })).status).toBe(422)
    expect((await create({ class: 'Vs_x', vectorConfig: hnsw({ ef_construction: 200 }) })).status).toBe(422)
    expect((await create({ class: 'Vs_x', vectorConfig: hnsw({}) }, 'wrong')).status).toBe(401)
    expect((await create({ class: 'Vs_x', vectorConfig: hnsw({}) })).status).toBe(200)
    expect((await create({ class: 'Vs_x', vectorConfig: hnsw({}) })).status).toBe(422)
  })

  it('finds Weaviate Cloud gRPC at grpc-<host>:443 and a self-hosted one on port 50051', () => {
    expect(weaviateGrpcUrl('https://abc.c0.europe-west3.gcp.weaviate.cloud')).toBe('https://grpc-abc.c0.europe-west3.gcp.weaviate.cloud')
    expect(weaviateGrpcUrl('http://localhost:8080')).toBe('http://localhost:50051')
  })
})
