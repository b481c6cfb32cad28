import { createRequire } from 'node:module'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { ExactIndex } from '../exact'
import type { Metric } from '../types'
import { GrpcError, listen, shutdown, unary } from './grpc-server'

/**
 * A small server that speaks the part of Weaviate's API (1.32) the adapter's client
 * (`weaviate-client` v3) uses, so the contract suite runs the official client against
 * something that answers like Weaviate. REST (`/v1`): `GET /meta` (the client checks the
 * version before it uses gRPC), `GET /schema`, `POST /schema`, `GET` and `DELETE
 * /schema/{class}`, the readiness probes. gRPC, decoded and encoded with the client's
 * own generated definitions (`weaviate.v1.Weaviate`, from Weaviate's protos):
 * `BatchObjects`, `Search` (near vector, with filters, limit and offset), `Aggregate`
 * (the object count, with filters), `BatchDelete` (by filter); and
 * `grpc.health.v1.Health/Check`, which the client calls on connecting. Anything else
 * answers UNIMPLEMENTED.
 *
 * Requests are checked the way Weaviate checks them, and more strictly where Weaviate
 * would silently adapt (a property not in the schema is refused here, where Weaviate's
 * auto-schema would add it): a class name that is not capitalised, a distance Weaviate
 * does not know, an HNSW setting that is not one, a vector of another length than the
 * collection's, a named vector the collection does not have, a filter on an unknown
 * property. Search is exact (the package's `ExactIndex`), reported as Weaviate reports
 * distances: `cosine` 1 - cosine similarity, `dot` minus the dot product, `l2-squared`
 * the squared Euclidean distance.
 */
export interface WeaviateProtocolServer {
  /** The REST endpoint. */
  httpUrl: string
  /** The gRPC endpoint. */
  grpcUrl: string
  apiKey: string
  /** Requests seen: `METHOD /v1/path` for REST, `grpc Method` for gRPC. */
  requests: string[]
  stop(): Promise<void>
}

/** The Weaviate version the server reports (`GET /v1/meta`): the client turns on its gRPC paths by version. */
export const WEAVIATE_PROTOCOL_VERSION = '1.32.0'

// The client's generated (ts-proto) codecs. The package's exports map has only its entry point, so the files are
// found next to it; they are the same definitions the client encodes its requests with.
interface TsProtoType {
  encode(message: unknown): { finish(): Uint8Array }
  decode(input: Uint8Array): unknown
  fromPartial(object: unknown): unknown
}
interface TsProtoService {
  fullName: string
  methods: Record<string, { name: string; requestType: TsProtoType; responseType: TsProtoType; requestStream: boolean; responseStream: boolean }>
}
const require = createRequire(import.meta.url)
const clientDist = dirname(require.resolve('weaviate-client'))
const { WeaviateDefinition } = require(join(clientDist, 'proto/v1/weaviate.js')) as { WeaviateDefinition: TsProtoService }
const { HealthDefinition } = require(join(clientDist, 'proto/google/health/v1/health.js')) as { HealthDefinition: TsProtoService }

function serviceDefinition(service: TsProtoService): grpc.ServiceDefinition {
  return Object.fromEntries(Object.values(service.methods).map((method) => [method.name, {
    path: `/${service.fullName}/${method.name}`,
    requestStream: method.requestStream,
    responseStream: method.responseStream,
    requestSerialize: (value: unknown) => Buffer.from(method.requestType.encode(method.requestType.fromPartial(value)).finish()),
    requestDeserialize: (bytes: Buffer) => method.requestType.decode(bytes),
    responseSerialize: (value: unknown) => Buffer.from(method.responseType.encode(method.responseType.fromPartial(value)).finish()),
    responseDeserialize: (bytes: Buffer) => method.responseType.decode(bytes),
    originalName: method.name,
  }]))
}

// The decoded messages, as far as the server reads them (weaviate.v1 base.proto, batch.proto, search_get.proto, aggregate.proto, batch_delete.proto).
interface VectorsMessage { name: string; vectorBytes: Uint8Array; type: number }
interface FiltersMessage {
  operator: number
  on: string[]
  filters: FiltersMessage[]
  valueText?: string
  valueInt?: number
  valueBoolean?: boolean
  valueNumber?: number
  valueTextArray?: { values: string[] }
  valueIntArray?: { values: number[] }
  valueNumberArray?: { values: number[] }
  target?: { property?: string }
}
interface BatchObjectMessage {
  uuid: string
  vector: number[]
  vectorBytes: Uint8Array
  vectors: VectorsMessage[]
  collection: string
  tenant: string
  properties?: { nonRefProperties?: Record<string, unknown>; [other: string]: unknown }
}
interface NearVectorMessage {
  vector: number[]
  vectorBytes: Uint8Array
  vectors: VectorsMessage[]
  targetVectors: string[]
  targets?: { targetVectors: string[] }
  vectorForTargets: { name: string; vectorBytes: Uint8Array; vectors: VectorsMessage[] }[]
  distance?: number
  certainty?: number
}
interface SearchMessage {
  collection: string
  tenant: string
  limit: number
  offset: number
  filters?: FiltersMessage
  nearVector?: NearVectorMessage
  metadata?: { uuid: boolean; distance: boolean; vector: boolean }
  properties?: { nonRefProperties: string[]; returnAllNonrefProperties: boolean }
  [other: string]: unknown
}

// weaviate.v1 Filters.Operator
const OPERATOR = { EQUAL: 1, NOT_EQUAL: 2, AND: 7, OR: 8, CONTAINS_ANY: 12, CONTAINS_ALL: 13, CONTAINS_NONE: 14, NOT: 15 } as const
const SERVING = 1 // grpc.health.v1 HealthCheckResponse.ServingStatus.SERVING
const DISTANCES: Record<string, Metric> = { cosine: 'cosine', dot: 'ip', 'l2-squared': 'l2' }
/** Weaviate's HNSW index settings (vectorIndexConfig), by their JSON names. */
const HNSW_KEYS = [
  'distance', 'ef', 'efConstruction', 'maxConnections', 'dynamicEfMin', 'dynamicEfMax', 'dynamicEfFactor', 'vectorCacheMaxObjects',
  'flatSearchCutoff', 'cleanupIntervalSeconds', 'skip', 'pq', 'bq', 'sq', 'rq', 'filterStrategy', 'multivector', 'type',
]
const CLASS_KEYS = [
  'class', 'description', 'properties', 'vectorConfig', 'vectorizer', 'vectorIndexType', 'vectorIndexConfig', 'moduleConfig',
  'invertedIndexConfig', 'multiTenancyConfig', 'replicationConfig', 'shardingConfig', 'objectTtlConfig',
]
const DEFAULT_LIMIT = 10 // QUERY_DEFAULTS_LIMIT

interface StoredObject {
  properties: Record<string, unknown>
}

interface StoredClass {
  /** The class as created, as `GET /v1/schema/{class}` returns it. */
  definition: Record<string, unknown>
  /** The named vector and its distance. */
  vectorName: string
  distance: string
  properties: Set<string>
  objects: Map<string, StoredObject>
  /** Exact search over the objects' vectors; made with the first vector, whose length fixes the collection's. */
  vectors?: ExactIndex
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

export async function startWeaviateProtocolServer(apiKey = 'test-key'): Promise<WeaviateProtocolServer> {
  const classes = new Map<string, StoredClass>()
  const requests: string[] = []

  // ---- REST ----
  const http: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      const failure = error instanceof HttpError ? error : new HttpError(500, String(error))
      send(response, failure.status, { error: [{ message: failure.message }] })
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://x').pathname
    requests.push(`${request.method} ${path}`)
    if (path === '/v1/.well-known/ready' || path === '/v1/.well-known/live') return send(response, 200, undefined)
    if (path === '/v1/.well-known/openid-configuration') return send(response, 404, undefined)
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      throw new HttpError(401, 'anonymous access not enabled, please provide an auth scheme such as OIDC')
    }
    const body = request.method === 'POST' || request.method === 'PUT' ? await readJson(request) : undefined
    if (request.method === 'GET' && path === '/v1/meta') {
      return send(response, 200, { hostname: 'http://[::]:8080', version: WEAVIATE_PROTOCOL_VERSION, modules: {}, grpcMaxMessageSize: 104858000 })
    }
    if (request.method === 'GET' && path === '/v1/schema') return send(response, 200, { classes: [...classes.values()].map((stored) => stored.definition) })
    if (request.method === 'POST' && path === '/v1/schema') {
      const stored = createClass(body)
      classes.set(String(stored.definition.class), stored)
      return send(response, 200, stored.definition)
    }
    const match = /^\/v1\/schema\/([^/]+)$/.exec(path)
    if (match) {
      const name = decodeURIComponent(match[1]!)
      if (request.method === 'GET') {
        const stored = classes.get(name)
        if (!stored) return send(response, 404, undefined)
        return send(response, 200, stored.definition)
      }
      if (request.method === 'DELETE') {
        // Weaviate deletes a class that does not exist without complaint.
        classes.delete(name)
        return send(response, 200, undefined)
      }
    }
    throw new HttpError(404, `${request.method} ${path}: not served by this protocol server`)
  }

  function createClass(body: unknown): StoredClass {
    // Weaviate decodes the class as Go decodes JSON: fields it does not know are dropped (the v3 client sends its own
    // `vectorizers` option along with the `vectorConfig` it made from it).
    const definition = Object.fromEntries(Object.entries(object(body, 'class')).filter(([key]) => CLASS_KEYS.includes(key)))
    const name = definition.class
    if (typeof name !== 'string' || !/^[A-Z][_0-9A-Za-z]{0,254}$/.test(name)) throw new HttpError(422, `'${String(name)}' is not a valid class name`)
    if (classes.has(name)) throw new HttpError(422, `class name ${name} already exists`)
    if (definition.vectorizer !== undefined || definition.vectorIndexConfig !== undefined) {
      throw new HttpError(422, 'this protocol server serves named vectors (vectorConfig) only: the legacy class-level vectorizer/vectorIndexConfig was sent')
    }
    const vectorConfig = object(definition.vectorConfig, 'vectorConfig')
    const names = Object.keys(vectorConfig)
    if (names.length !== 1) throw new HttpError(422, `vectorConfig: this protocol server serves one named vector per class, got ${names.length}`)
    const vectorName = names[0]!
    const config = object(vectorConfig[vectorName], `vectorConfig.${vectorName}`)
    const vectorizer = object(config.vectorizer, `vectorConfig.${vectorName}.vectorizer`)
    if (Object.keys(vectorizer).join() !== 'none') throw new HttpError(422, `vectorConfig.${vectorName}: vectorizer ${Object.keys(vectorizer).join()} is not available (only self-provided vectors, "none")`)
    if (config.vectorIndexType !== 'hnsw' && config.vectorIndexType !== 'flat') throw new HttpError(422, `vectorConfig.${vectorName}: unknown vector index type ${String(config.vectorIndexType)}`)
    const index = object(config.vectorIndexConfig ?? {}, `vectorConfig.${vectorName}.vectorIndexConfig`)
    const badKeys = Object.keys(index).filter((key) => !HNSW_KEYS.includes(key))
    if (badKeys.length > 0) throw new HttpError(422, `vectorConfig.${vectorName}.vectorIndexConfig: unknown setting(s) ${badKeys.join(', ')}`)
    for (const key of ['ef', 'efConstruction', 'maxConnections']) {
      if (index[key] !== undefined && !Number.isInteger(index[key])) throw new HttpError(422, `vectorIndexConfig.${key} must be an integer`)
    }
    if (index.efConstruction !== undefined && (index.efConstruction as number) < 1) throw new HttpError(422, 'vectorIndexConfig.efConstruction must be a positive integer')
    const distance = (index.distance ?? 'cosine') as string
    if (!(distance in DISTANCES)) throw new HttpError(422, `vectorIndexConfig.distance: distance ${distance} is not supported (cosine, dot, l2-squared)`)
    const properties = new Set<string>()
    for (const property of (definition.properties ?? []) as unknown[]) {
      const { name: propertyName, dataType } = object(property, 'property')
      if (typeof propertyName !== 'string' || !/^[_A-Za-z][_0-9A-Za-z]*$/.test(propertyName)) throw new HttpError(422, `'${String(propertyName)}' is not a valid property name`)
      if (!Array.isArray(dataType) || dataType.length !== 1 || dataType[0] !== 'text') throw new HttpError(422, `property ${propertyName}: this protocol server stores text properties only, got ${JSON.stringify(dataType)}`)
      properties.add(propertyName)
    }
    return { definition: { ...definition, vectorConfig: { [vectorName]: { ...config, vectorIndexConfig: { ...index, distance } } } }, vectorName, distance, properties, objects: new Map() }
  }

  // ---- gRPC ----
  const rpc = new grpc.Server()
  const authorised = (metadata: grpc.Metadata) => {
    if (metadata.get('authorization')[0] !== `Bearer ${apiKey}`) throw new GrpcError(grpc.status.UNAUTHENTICATED, 'anonymous access not enabled, please provide an auth scheme such as OIDC')
  }
  const track = (name: string, handler: (request: never, metadata: grpc.Metadata) => unknown) => unary((request, metadata) => {
    requests.push(`grpc ${name}`)
    return handler(request, metadata)
  })
  rpc.addService(serviceDefinition(HealthDefinition), { Check: track('Check', () => ({ status: SERVING })) })
  rpc.addService(serviceDefinition(WeaviateDefinition), {
    BatchObjects: track('BatchObjects', (request: { objects: BatchObjectMessage[] }, metadata) => {
      authorised(metadata)
      const started = performance.now()
      const errors: { index: number; error: string }[] = []
      request.objects.forEach((message, index) => {
        try {
          putObject(message)
        } catch (error) {
          errors.push({ index, error: (error as Error).message })
        }
      })
      return { took: (performance.now() - started) / 1000, errors }
    }),
    Search: track('Search', (request: SearchMessage, metadata) => {
      authorised(metadata)
      return search(request)
    }),
    Aggregate: track('Aggregate', (request: { collection: string; tenant: string; objectsCount: boolean; aggregations: unknown[]; filters?: FiltersMessage; groupBy?: unknown; nearVector?: unknown; hybrid?: unknown }, metadata) => {
      authorised(metadata)
      const stored = collection(request.collection)
      if (request.aggregations.length > 0 || request.groupBy || request.nearVector || request.hybrid) throw new GrpcError(grpc.status.UNIMPLEMENTED, 'this protocol server aggregates the object count only')
      const count = [...stored.objects].filter(([uuid, object]) => !request.filters || matches(stored, request.filters, uuid, object)).length
      return { took: 0, singleResult: request.objectsCount ? { objectsCount: count } : {} }
    }),
    BatchDelete: track('BatchDelete', (request: { collection: string; filters?: FiltersMessage; verbose: boolean; dryRun: boolean }, metadata) => {
      authorised(metadata)
      const stored = collection(request.collection)
      if (!request.filters) throw new GrpcError(grpc.status.INVALID_ARGUMENT, 'batch delete: filters are required')
      const hits = [...stored.objects].filter(([uuid, object]) => matches(stored, request.filters!, uuid, object)).map(([uuid]) => uuid)
      if (!request.dryRun) {
        for (const uuid of hits) {
          stored.objects.delete(uuid)
          void stored.vectors?.delete([uuid])
        }
      }
      return { took: 0, failed: 0, matches: hits.length, successful: hits.length, objects: request.verbose ? hits.map((uuid) => ({ uuid: Buffer.from(uuid.replaceAll('-', ''), 'hex'), successful: true })) : [] }
    }),
  })

  function collection(name: string): StoredClass {
    const stored = classes.get(name)
    if (!stored) throw new GrpcError(grpc.status.NOT_FOUND, `could not find class ${name} in schema`)
    return stored
  }

  function putObject(message: BatchObjectMessage): void {
    const stored = classes.get(message.collection)
    if (!stored) throw new Error(`class ${message.collection} not found in schema`)
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(message.uuid)) throw new Error(`invalid uuid ${message.uuid}`)
    let vector: Float32Array | undefined
    for (const named of message.vectors) {
      if (named.name !== stored.vectorName) throw new Error(`collection ${message.collection} has no named vector "${named.name}" (it has "${stored.vectorName}")`)
      vector = floats(named.vectorBytes)
    }
    if (message.vectorBytes.length > 0 || message.vector.length > 0) throw new Error(`collection ${message.collection} has named vectors: an unnamed vector cannot be stored`)
    if (!vector) throw new Error(`object ${message.uuid}: no vector for "${stored.vectorName}" (this collection has no vectorizer)`)
    const properties = message.properties?.nonRefProperties ?? {}
    for (const key of Object.keys(properties)) {
      if (!stored.properties.has(key)) throw new Error(`no such prop with name '${key}' found in class '${message.collection}' in the schema (auto-schema is off in this protocol server)`)
    }
    if (stored.vectors && stored.vectors.spec.dimension !== vector.length) {
      throw new Error(`insert to vector index: new node has a vector with length ${vector.length}. Existing nodes have vectors with length ${stored.vectors.spec.dimension}`)
    }
    stored.vectors ??= new ExactIndex({ name: 'weaviate', dimension: vector.length, metric: DISTANCES[stored.distance]! })
    stored.vectors.upsertSync([{ id: message.uuid, label: '', vector }])
    stored.objects.set(message.uuid, { properties: { ...properties } })
  }

  function search(request: SearchMessage): unknown {
    const stored = collection(request.collection)
    const near = request.nearVector
    if (!near) throw new GrpcError(grpc.status.UNIMPLEMENTED, 'this protocol server answers near-vector searches only')
    const others = ['hybridSearch', 'bm25Search', 'nearObject', 'nearText', 'groupBy', 'generative', 'rerank'].filter((key) => request[key] !== undefined)
    if (others.length > 0) throw new GrpcError(grpc.status.UNIMPLEMENTED, `this protocol server does not serve ${others.join(', ')}`)
    const targets = [...near.targetVectors, ...(near.targets?.targetVectors ?? [])]
    for (const target of targets) {
      if (target !== stored.vectorName) throw new GrpcError(grpc.status.INVALID_ARGUMENT, `target vector "${target}" not found in class ${request.collection} (it has "${stored.vectorName}")`)
    }
    const given = [...near.vectors.map((named) => floats(named.vectorBytes)), ...(near.vectorBytes.length > 0 ? [floats(near.vectorBytes)] : []), ...(near.vector.length > 0 ? [Float32Array.from(near.vector)] : [])]
    if (given.length !== 1) throw new GrpcError(grpc.status.INVALID_ARGUMENT, `near vector: expected one query vector, got ${given.length}`)
    const query = given[0]!
    const limit = request.limit > 0 ? request.limit : DEFAULT_LIMIT
    if (!stored.vectors) return { took: 0, results: [], groupByResults: [] }
    if (query.length !== stored.vectors.spec.dimension) {
      throw new GrpcError(grpc.status.UNKNOWN, `explorer: get class: vector search: object vector search at index ${request.collection.toLowerCase()}: shard ${request.collection.toLowerCase()}_1: vector search: knn search: distance between entrypoint and query node: vector lengths don't match: ${stored.vectors.spec.dimension} vs ${query.length}`)
    }
    const wanted = request.filters ? stored.vectors.size : request.offset + limit
    const found = stored.vectors.querySync(query, wanted)
      .filter((match) => !request.filters || matches(stored, request.filters, match.id, stored.objects.get(match.id)!))
      .slice(request.offset, request.offset + limit)
    const names = request.properties?.returnAllNonrefProperties ? [...stored.properties] : (request.properties?.nonRefProperties ?? [])
    for (const name of names) if (!stored.properties.has(name)) throw new GrpcError(grpc.status.INVALID_ARGUMENT, `no such prop with name '${name}' found in class '${request.collection}'`)
    return {
      took: 0,
      groupByResults: [],
      results: found.map((match) => {
        const object = stored.objects.get(match.id)!
        const distance = distanceOf(stored.distance, match.score)
        return {
          metadata: {
            id: match.id,
            ...(request.metadata?.distance ? { distance, distancePresent: true } : {}),
          },
          properties: {
            targetCollection: request.collection,
            refProps: [],
            refPropsRequested: false,
            nonRefProps: { fields: Object.fromEntries(names.filter((name) => object.properties[name] !== undefined).map((name) => [name, { textValue: String(object.properties[name]) }])) },
          },
        }
      }),
    }
  }

  function matches(stored: StoredClass, filter: FiltersMessage, uuid: string, object: StoredObject): boolean {
    switch (filter.operator) {
      case OPERATOR.AND: return filter.filters.every((inner) => matches(stored, inner, uuid, object))
      case OPERATOR.OR: return filter.filters.some((inner) => matches(stored, inner, uuid, object))
      case OPERATOR.NOT: return !filter.filters.every((inner) => matches(stored, inner, uuid, object))
    }
    const property = filter.target?.property ?? filter.on[0]
    if (property === undefined) throw new GrpcError(grpc.status.INVALID_ARGUMENT, 'filter without a target property')
    if (property !== '_id' && !stored.properties.has(property)) throw new GrpcError(grpc.status.INVALID_ARGUMENT, `invalid filter: no such prop with name '${property}' found in class '${String(stored.definition.class)}'`)
    const value = property === '_id' ? uuid : object.properties[property]
    const single = filter.valueText ?? filter.valueInt ?? filter.valueNumber ?? filter.valueBoolean
    const list: unknown[] | undefined = filter.valueTextArray?.values ?? filter.valueIntArray?.values ?? filter.valueNumberArray?.values
    switch (filter.operator) {
      case OPERATOR.EQUAL: return value === single
      case OPERATOR.NOT_EQUAL: return value !== single
      case OPERATOR.CONTAINS_ANY: return (list ?? []).includes(value)
      case OPERATOR.CONTAINS_ALL: return (list ?? []).every((item) => item === value)
      case OPERATOR.CONTAINS_NONE: return !(list ?? []).includes(value)
    }
    throw new GrpcError(grpc.status.UNIMPLEMENTED, `filter operator ${filter.operator} is not served by this protocol server`)
  }

  // Longer than the client's idle keep-alive (see the Pinecone protocol server).
  http.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const grpcPort = await listen(rpc)
  return {
    httpUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    apiKey,
    requests,
    stop: async () => {
      await Promise.all([
        new Promise<void>((resolve) => {
          http.close(() => resolve())
          http.closeAllConnections()
        }),
        shutdown(rpc),
      ])
    },
  }
}

/** `ExactIndex`'s score (higher nearer) as Weaviate's distance (lower nearer). */
function distanceOf(distance: string, score: number): number {
  return distance === 'cosine' ? 1 - score : -score
}

/** A vector's little-endian float32 bytes, as the client packs them. */
function floats(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new GrpcError(grpc.status.INVALID_ARGUMENT, 'vector bytes are not float32')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true))
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(422, `${what}: expected an object`)
  return value as Record<string, unknown>
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'body is not JSON')
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end()
    return
  }
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
