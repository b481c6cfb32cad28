import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PineconeStore } from './pinecone'
import { startPineconeProtocolServer, type PineconeProtocolServer } from './pinecone-protocol-server'

/** What the adapter sends through the official client; the contract suite checks what it gets back. */
describe('the Pinecone adapter on the wire', () => {
  let server: PineconeProtocolServer
  beforeAll(async () => {
    server = await startPineconeProtocolServer()
  })
  afterAll(() => server.stop())

  it('creates a serverless index, waits for it, and uses the data plane at the host the control plane gave', async () => {
    const store = new PineconeStore({ apiKey: server.apiKey, controllerHostUrl: server.url, freshnessTimeoutMs: 2000 })
    const index = await store.createIndex({ name: 'wire_test', dimension: 3, metric: 'l2' })
    await index.upsert([{ id: 'a', label: 'card', vector: Float32Array.from([1, 0, 0]) }, { id: 'b', label: 'rate', vector: Float32Array.from([0, 1, 0]) }])
    await index.optimize()
    expect(await index.query(Float32Array.from([0.9, 0, 0]), 1)).toEqual([{ id: 'a', label: 'card', score: expect.closeTo(-0.01, 6) }])
    await index.delete(['a'])
    await store.dropIndex('wire_test')
    expect(server.requests).toEqual(expect.arrayContaining([
      'DELETE /indexes/vs-wire-test', 'POST /indexes', 'GET /indexes/vs-wire-test', 'POST /data/vs-wire-test/vectors/upsert',
      'POST /data/vs-wire-test/describe_index_stats', 'POST /data/vs-wire-test/query', 'POST /data/vs-wire-test/vectors/delete',
    ]))
  })

  it('answers a request Pinecone would refuse as Pinecone does: an unknown field or a wrong key is an error', async () => {
    const create = (body: unknown, key = server.apiKey) => fetch(`${server.url}/indexes`, { method: 'POST', headers: { 'api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await create({ name: 'x', dimension: 3, spec: {}, dimensions: 3 })).status).toBe(400)
    expect((await create({ name: 'x', dimension: 3, spec: {} }, 'wrong')).status).toBe(401)
  })
})
