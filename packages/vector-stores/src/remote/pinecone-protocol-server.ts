import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A small HTTP server that speaks the part of Pinecone's REST API (2025-04 shapes) the
 * adapter uses, so the contract suite runs the official client against something that
 * answers like Pinecone: control plane `POST /indexes`, `GET` and `DELETE
 * /indexes/{name}`; data plane on the index's host `/vectors/upsert`, `/query`,
 * `/describe_index_stats`, `/vectors/delete`. Requests are checked strictly (unknown
 * fields, missing API key, wrong dimension are errors, as Pinecone's are), so a change
 * in what the adapter sends fails the suite. Exact search, scored as Pinecone scores:
 * cosine similarity, dot product, squared Euclidean distance.
 */
export interface PineconeProtocolServer {
  url: string
  apiKey: string
  /** Requests seen, `METHOD path`: what the adapter sent. */
  requests: string[]
  stop(): Promise<void>
}

interface StoredIndex {
  name: string
  dimension: number
  metric: 'cosine' | 'euclidean' | 'dotproduct'
  spec: unknown
  records: Map<string, { values: number[]; metadata?: Record<string, unknown> }>
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

export async function startPineconeProtocolServer(apiKey = 'test-key'): Promise<PineconeProtocolServer> {
  const indexes = new Map<string, StoredIndex>()
  const requests: string[] = []
  let base = ''
  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      const failure = error instanceof HttpError ? error : new HttpError(500, 'INTERNAL', String(error))
      send(response, failure.status, { error: { code: failure.code, message: failure.message }, status: failure.status })
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://x').pathname
    requests.push(`${request.method} ${path}`)
    if (request.headers['api-key'] !== apiKey) throw new HttpError(401, 'UNAUTHENTICATED', 'Invalid API Key')
    const body = request.method === 'POST' ? await readJson(request) : undefined
    let match: RegExpExecArray | null
    if (request.method === 'POST' && path === '/indexes') {
      const input = strict(body, ['name', 'dimension', 'metric', 'spec', 'deletion_protection', 'tags', 'vector_type'], ['name', 'dimension', 'spec'])
      const name = String(input.name)
      if (!/^[a-z0-9-]{1,45}$/.test(name)) throw new HttpError(400, 'INVALID_ARGUMENT', `invalid index name ${name}`)
      if (indexes.has(name)) throw new HttpError(409, 'ALREADY_EXISTS', `Resource ${name} already exists`)
      const metric = (input.metric ?? 'cosine') as StoredIndex['metric']
      if (!['cosine', 'euclidean', 'dotproduct'].includes(metric)) throw new HttpError(400, 'INVALID_ARGUMENT', `metric ${metric}`)
      indexes.set(name, { name, dimension: Number(input.dimension), metric, spec: input.spec, records: new Map() })
      return send(response, 201, describe(indexes.get(name)!))
    }
    if ((match = /^\/indexes\/([^/]+)$/.exec(path))) {
      const index = indexes.get(decodeURIComponent(match[1]!))
      if (!index) throw new HttpError(404, 'NOT_FOUND', `Resource ${match[1]} not found`)
      if (request.method === 'GET') return send(response, 200, describe(index))
      if (request.method === 'DELETE') {
        indexes.delete(index.name)
        return send(response, 202, undefined)
      }
    }
    if ((match = /^\/data\/([^/]+)(\/.*)$/.exec(path)) && request.method === 'POST') {
      const index = indexes.get(match[1]!)
      if (!index) throw new HttpError(404, 'NOT_FOUND', `index ${match[1]} not found`)
      return send(response, 200, dataPlane(index, match[2]!, body))
    }
    throw new HttpError(404, 'NOT_FOUND', `${request.method} ${path}`)
  }

  function describe(index: StoredIndex) {
    return {
      name: index.name, dimension: index.dimension, metric: index.metric, host: `${base}/data/${index.name}`, spec: index.spec,
      status: { ready: true, state: 'Ready' }, deletion_protection: 'disabled', vector_type: 'dense', tags: null,
    }
  }

  function dataPlane(index: StoredIndex, operation: string, body: unknown): unknown {
    if (operation === '/vectors/upsert') {
      const input = strict(body, ['vectors', 'namespace'], ['vectors'])
      const vectors = input.vectors as unknown[]
      if (!Array.isArray(vectors) || vectors.length > 1000) throw new HttpError(400, 'INVALID_ARGUMENT', 'vectors: 1 to 1000 records')
      for (const vector of vectors) {
        const record = strict(vector, ['id', 'values', 'metadata', 'sparseValues'], ['id', 'values'])
        const values = record.values as number[]
        if (values.length !== index.dimension) throw new HttpError(400, 'INVALID_ARGUMENT', `Vector dimension ${values.length} does not match the dimension of the index ${index.dimension}`)
        index.records.set(String(record.id), { values, metadata: record.metadata as Record<string, unknown> | undefined })
      }
      return { upsertedCount: vectors.length }
    }
    if (operation === '/query') {
      const input = strict(body, ['vector', 'topK', 'includeMetadata', 'includeValues', 'namespace', 'filter', 'sparseVector', 'id'], ['topK'])
      const query = input.vector as number[]
      if (!Array.isArray(query) || query.length !== index.dimension) throw new HttpError(400, 'INVALID_ARGUMENT', `query vector dimension ${query?.length} does not match ${index.dimension}`)
      const scored = [...index.records].map(([id, record]) => ({ id, score: score(index.metric, query, record.values), metadata: input.includeMetadata ? record.metadata : undefined }))
      scored.sort((a, b) => (index.metric === 'euclidean' ? a.score - b.score : b.score - a.score))
      return { matches: scored.slice(0, Number(input.topK)), namespace: input.namespace ?? '', usage: { readUnits: 1 } }
    }
    if (operation === '/describe_index_stats') {
      strict(body ?? {}, ['filter'], [])
      return { namespaces: { '': { vectorCount: index.records.size } }, dimension: index.dimension, indexFullness: 0, totalVectorCount: index.records.size, metric: index.metric, vectorType: 'dense' }
    }
    if (operation === '/vectors/delete') {
      const input = strict(body, ['ids', 'deleteAll', 'namespace', 'filter'], [])
      for (const id of (input.ids as string[] | undefined) ?? []) index.records.delete(id)
      return {}
    }
    throw new HttpError(404, 'NOT_FOUND', operation)
  }

  // Longer than the client's idle keep-alive, as Pinecone's front end is: with Node's 5 s default a request can race
  // the server closing its idle socket, and the client's retries on that error stretch a test on a loaded machine.
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base, apiKey, requests,
    stop: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

function score(metric: StoredIndex['metric'], a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0, squared = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    na += a[i]! * a[i]!
    nb += b[i]! * b[i]!
    squared += (a[i]! - b[i]!) ** 2
  }
  if (metric === 'euclidean') return squared
  if (metric === 'dotproduct') return dot
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb)
}

function strict(value: unknown, allowed: string[], required: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'INVALID_ARGUMENT', 'expected an object')
  const record = value as Record<string, unknown>
  const unknown = Object.keys(record).filter((key) => !allowed.includes(key))
  if (unknown.length > 0) throw new HttpError(400, 'INVALID_ARGUMENT', `unknown field(s) ${unknown.join(', ')}`)
  const missing = required.filter((key) => record[key] === undefined)
  if (missing.length > 0) throw new HttpError(400, 'INVALID_ARGUMENT', `missing field(s) ${missing.join(', ')}`)
  return record
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'INVALID_ARGUMENT', 'body is not JSON')
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end()
    return
  }
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
