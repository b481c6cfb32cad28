import { createRequire } from 'node:module'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import protobuf from 'protobufjs'
import { ExactIndex } from '../exact'
import type { Metric } from '../types'
import { GrpcError, listen, shutdown, unary } from './grpc-server'
import { evaluate, fieldsOf, parseExpression, type Expression } from './milvus-expression'

/**
 * A small gRPC server that speaks the part of Milvus' `milvus.proto.milvus.MilvusService`
 * the adapter's client (`@zilliz/milvus2-sdk-node`'s `MilvusClient`) uses, decoded and
 * encoded with the client's own proto definitions (the JSON it ships in
 * `dist/milvus/proto-json`), so the contract suite runs the official client against
 * something that answers like Milvus: `Connect`, `CreateCollection` (the schema as
 * encoded bytes), `DescribeCollection`, `HasCollection`, `DropCollection`,
 * `CreateIndex`, `DescribeIndex`, `LoadCollection`, `GetLoadingProgress`,
 * `GetLoadState`, `Upsert`, `Flush`, `GetFlushState`, `Search` (the query vectors in an
 * encoded placeholder group, a filter expression, output fields), `Query` (rows or
 * `count(*)` under an expression) and `Delete` (by expression). Any other method
 * answers UNIMPLEMENTED.
 *
 * Failures are answered as Milvus answers them: a status in the reply (`code`, the
 * legacy `error_code`, `reason` with Milvus' wording), not a gRPC error. What Milvus
 * refuses is refused: a vector of another dimension than the schema's, a string longer
 * than its field's `max_length`, a field the schema lacks or a missing one, an index type
 * or metric Milvus does not have (ANNOY included), HNSW `ef` below k, a search on a
 * collection that is not loaded or with another metric than its index's, an expression
 * it cannot parse or on an unknown field. Only VarChar and Int64 scalars and float
 * vectors are stored. Search is exact (the package's `ExactIndex`), scored as Milvus
 * scores: COSINE the cosine similarity, IP the inner product, L2 the squared distance.
 */
export interface MilvusProtocolServer {
  /** `127.0.0.1:<port>`, the client's `address`. */
  address: string
  /** The token the server requires (`user:password`), sent by the client base64-encoded in `authorization`. */
  token: string
  /** RPCs seen, by method name: what the adapter sent. */
  requests: string[]
  stop(): Promise<void>
}

const require = createRequire(import.meta.url)
const MILVUS_PROTO = (require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus') as { default: protobuf.INamespace }).default
// The options the client loads the same definitions with: field names as in the .proto, enums as their names.
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true }
const root = protobuf.Root.fromJSON(MILVUS_PROTO)
const CollectionSchema = root.lookupType('milvus.proto.schema.CollectionSchema')
const PlaceholderGroup = root.lookupType('milvus.proto.common.PlaceholderGroup')
const SERVICE = ((grpc.loadPackageDefinition(protoLoader.fromJSON(MILVUS_PROTO, LOADER_OPTIONS)) as unknown as {
  milvus: { proto: { milvus: { MilvusService: grpc.ServiceClientConstructor } } }
}).milvus.proto.milvus.MilvusService).service

// Milvus' error codes (merr) for the failures the server reports.
const CODE = { collectionNotFound: 100, collectionNotLoaded: 101, indexNotFound: 700, invalidParameter: 1100, unauthenticated: 1800 }
const INDEX_TYPES = ['HNSW', 'IVF_FLAT', 'FLAT']
const METRICS: Record<string, Metric> = { L2: 'l2', IP: 'ip', COSINE: 'cosine' }
const MAX_TOPK = 16384
const FIRST_FIELD_ID = 100

type Status = { error_code: string; code: number; reason: string; retriable: boolean; detail: string }
const OK: Status = { error_code: 'Success', code: 0, reason: '', retriable: false, detail: '' }

/** A Milvus failure: answered as a status in the method's reply. */
class MilvusError extends Error {
  constructor(readonly code: number, message: string, readonly errorCode = 'UnexpectedError') {
    super(message)
  }
}

interface KeyValue { key: string; value: string }
interface FieldSchema {
  fieldID: string
  name: string
  is_primary_key: boolean
  data_type: string
  type_params: KeyValue[]
  index_params: KeyValue[]
  autoID: boolean
  [other: string]: unknown
}
interface FieldData {
  type: string
  field_name: string
  scalars?: { string_data?: { data: string[] }; long_data?: { data: string[] }; data?: string }
  vectors?: { dim: string; float_vector?: { data: number[] }; data?: string }
  field?: string
}
interface StoredIndex { name: string; id: number; indexType: string; metricType: string; params: Record<string, unknown>; extra: KeyValue[] }
interface StoredCollection {
  id: number
  name: string
  schema: { name: string; description: string; autoID: boolean; fields: FieldSchema[]; enable_dynamic_field: boolean; [other: string]: unknown }
  consistencyLevel: string
  created: number
  primary: FieldSchema
  vectorField: FieldSchema
  dimension: number
  /** Scalar values by primary key (as a string), the vector beside them. */
  rows: Map<string, { scalars: Record<string, string | number>; vector: Float32Array }>
  index?: StoredIndex
  /** Exact search over the rows, under the index's metric; made when the index is. */
  search?: ExactIndex
  loaded: boolean
}

const param = (pairs: KeyValue[], key: string) => pairs.find((pair) => pair.key === key)?.value

export async function startMilvusProtocolServer(token = 'root:Milvus'): Promise<MilvusProtocolServer> {
  const collections = new Map<string, StoredCollection>()
  const requests: string[] = []
  let nextId = 449_000_000_000_000_000
  const newId = () => (nextId += 1)

  const checkAuth = (metadata: grpc.Metadata) => {
    const given = metadata.get('authorization')[0]
    if (given !== Buffer.from(token).toString('base64')) throw new MilvusError(CODE.unauthenticated, 'auth check failure, please check username and password are correct', 'PermissionDenied')
  }
  const collection = (name: string): StoredCollection => {
    const stored = collections.get(name)
    if (!stored) throw new MilvusError(CODE.collectionNotFound, `collection not found[database=default][collection=${name}]`, 'CollectionNotExists')
    return stored
  }

  /**
   * A handler whose failures are statuses: `reply` wraps the status as the method's reply
   * does (`status` beside the payload, or the bare Status of methods that return one).
   */
  const method = (name: string, handler: (request: never) => Record<string, unknown> | undefined, bareStatus = false) => unary((request, metadata) => {
    requests.push(name)
    try {
      if (name !== 'Connect') checkAuth(metadata)
      const reply = handler(request)
      return bareStatus ? OK : { status: OK, ...reply }
    } catch (error) {
      if (!(error instanceof MilvusError)) throw error
      const status: Status = { error_code: error.errorCode, code: error.code, reason: error.message, retriable: false, detail: error.message }
      return bareStatus ? status : { status }
    }
  })

  const implementation: grpc.UntypedServiceImplementation = {}
  for (const name of Object.keys(SERVICE)) {
    implementation[name] = unary(() => {
      requests.push(name)
      throw new GrpcError(grpc.status.UNIMPLEMENTED, `${name} is not served by this protocol server`)
    })
  }
  Object.assign(implementation, {
    Connect: method('Connect', () => ({
      server_info: { build_tags: 'protocol-server', build_time: '', git_commit: '', go_version: '', deploy_mode: 'STANDALONE', reserved: {} },
      identifier: String(newId()),
    })),

    CreateCollection: method('CreateCollection', (request: { collection_name: string; schema: Buffer; shards_num: number; consistency_level: string; db_name: string }) => {
      const name = request.collection_name
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) throw new MilvusError(CODE.invalidParameter, `Invalid collection name: ${name}. the first character of a collection name must be an underscore or letter: invalid parameter`)
      if (collections.has(name)) throw new MilvusError(CODE.invalidParameter, `collection already exists[database=default][collection=${name}]`)
      const schema = CollectionSchema.toObject(CollectionSchema.decode(request.schema), LOADER_OPTIONS) as StoredCollection['schema']
      if (schema.name !== name) throw new MilvusError(CODE.invalidParameter, `collection name [${name}] not matches schema name [${schema.name}]`)
      const names = new Set<string>()
      schema.fields.forEach((field, i) => {
        if (names.has(field.name)) throw new MilvusError(CODE.invalidParameter, `duplicated field name ${field.name} found`)
        names.add(field.name)
        field.fieldID = String(FIRST_FIELD_ID + i)
        if (!['VarChar', 'Int64', 'FloatVector'].includes(field.data_type)) throw new MilvusError(CODE.invalidParameter, `field ${field.name}: this protocol server stores VarChar, Int64 and FloatVector fields, not ${field.data_type}`)
        if (field.data_type === 'VarChar' && !(Number(param(field.type_params, 'max_length')) > 0)) throw new MilvusError(CODE.invalidParameter, `type param(max_length) should be specified for the field(${field.name}) of collection ${name}`)
        if (field.data_type === 'FloatVector' && !(Number(param(field.type_params, 'dim')) >= 2 && Number(param(field.type_params, 'dim')) <= 32768)) {
          throw new MilvusError(CODE.invalidParameter, `invalid dimension: ${param(field.type_params, 'dim')} of field ${field.name}. should be in range 2 ~ 32768`)
        }
      })
      const primaries = schema.fields.filter((field) => field.is_primary_key)
      if (primaries.length !== 1) throw new MilvusError(CODE.invalidParameter, `there are ${primaries.length} primary key fields: a collection has exactly one`)
      const vectors = schema.fields.filter((field) => field.data_type === 'FloatVector')
      if (vectors.length !== 1) throw new MilvusError(CODE.invalidParameter, `schema has ${vectors.length} vector fields: this protocol server serves one`)
      if (primaries[0]!.autoID) throw new MilvusError(CODE.invalidParameter, 'this protocol server stores the ids it is given (autoID off)')
      collections.set(name, {
        id: newId(), name, schema, consistencyLevel: request.consistency_level, created: Date.now(), primary: primaries[0]!, vectorField: vectors[0]!,
        dimension: Number(param(vectors[0]!.type_params, 'dim')), rows: new Map(), loaded: false,
      })
      return undefined
    }, true),

    DescribeCollection: method('DescribeCollection', (request: { collection_name: string }) => {
      const stored = collection(request.collection_name)
      return {
        schema: stored.schema, collectionID: String(stored.id), collection_name: stored.name, consistency_level: stored.consistencyLevel,
        shards_num: 1, num_partitions: '1', aliases: [], properties: [], db_name: 'default',
        virtual_channel_names: [`by-dev-rootcoord-dml_0_${stored.id}v0`], physical_channel_names: ['by-dev-rootcoord-dml_0'],
        created_timestamp: String(BigInt(stored.created) << 18n), created_utc_timestamp: String(stored.created),
      }
    }),

    HasCollection: method('HasCollection', (request: { collection_name: string }) => ({ value: collections.has(request.collection_name) })),

    DropCollection: method('DropCollection', (request: { collection_name: string }) => {
      // Milvus drops a collection that does not exist without complaint.
      collections.delete(request.collection_name)
      return undefined
    }, true),

    CreateIndex: method('CreateIndex', (request: { collection_name: string; field_name: string; extra_params: KeyValue[]; index_name: string }) => {
      const stored = collection(request.collection_name)
      if (request.field_name !== stored.vectorField.name) throw new MilvusError(CODE.invalidParameter, `field ${request.field_name} of collection ${stored.name}: this protocol server indexes the vector field ${stored.vectorField.name} only`)
      const indexType = param(request.extra_params, 'index_type') ?? 'AUTOINDEX'
      if (!INDEX_TYPES.includes(indexType)) throw new MilvusError(CODE.invalidParameter, `invalid parameter[expected=valid index][actual=invalid index type: ${indexType}]`)
      const metricType = param(request.extra_params, 'metric_type') ?? 'COSINE'
      if (!(metricType in METRICS)) throw new MilvusError(CODE.invalidParameter, `metric type ${metricType} not found or not supported, supported: [L2 IP COSINE]`)
      const params = JSON.parse(param(request.extra_params, 'params') ?? '{}') as Record<string, unknown>
      const known = indexType === 'HNSW' ? ['M', 'efConstruction'] : indexType === 'IVF_FLAT' ? ['nlist'] : []
      for (const key of Object.keys(params)) if (!known.includes(key)) throw new MilvusError(CODE.invalidParameter, `index ${indexType} has no parameter ${key}`)
      const range = (key: string, low: number, high: number) => {
        const value = params[key]
        if (value !== undefined && !(Number.isInteger(Number(value)) && Number(value) >= low && Number(value) <= high)) {
          throw new MilvusError(CODE.invalidParameter, `param '${key}' (${String(value)}) should be in range [${low}, ${high}]`)
        }
      }
      range('M', 2, 2048)
      range('efConstruction', 1, 2147483647)
      range('nlist', 1, 65536)
      if (stored.index) {
        if (stored.index.indexType === indexType && stored.index.metricType === metricType && JSON.stringify(stored.index.params) === JSON.stringify(params)) return undefined
        throw new MilvusError(CODE.invalidParameter, `at most one distinct index is allowed per field: CreateIndex failed: creating multiple indexes on same field is not supported`)
      }
      stored.index = { name: request.index_name || stored.vectorField.name, id: newId(), indexType, metricType, params, extra: request.extra_params }
      stored.search = new ExactIndex({ name: 'milvus', dimension: stored.dimension, metric: METRICS[metricType]! }, Math.max(stored.rows.size, 1024))
      stored.search.upsertSync([...stored.rows].map(([id, row]) => ({ id, label: '', vector: row.vector })))
      return undefined
    }, true),

    DescribeIndex: method('DescribeIndex', (request: { collection_name: string; field_name: string }) => {
      const stored = collection(request.collection_name)
      const index = stored.index
      if (!index || (request.field_name && request.field_name !== stored.vectorField.name)) throw new MilvusError(CODE.indexNotFound, `index not found[collection=${stored.name}]`, 'IndexNotExist')
      return {
        index_descriptions: [{
          index_name: index.name, indexID: String(index.id), field_name: stored.vectorField.name, params: index.extra,
          indexed_rows: String(stored.rows.size), total_rows: String(stored.rows.size), pending_index_rows: '0', state: 'Finished', index_state_fail_reason: '',
        }],
      }
    }),

    LoadCollection: method('LoadCollection', (request: { collection_name: string }) => {
      const stored = collection(request.collection_name)
      if (!stored.index) throw new MilvusError(CODE.indexNotFound, `there is no vector index on field: [${stored.vectorField.name}], please create index firstly: collection=${stored.name}: index not found`, 'IndexNotExist')
      stored.loaded = true
      return undefined
    }, true),
    GetLoadingProgress: method('GetLoadingProgress', (request: { collection_name: string }) => ({ progress: collection(request.collection_name).loaded ? '100' : '0', refresh_progress: '100' })),
    GetLoadState: method('GetLoadState', (request: { collection_name: string }) => ({ state: collection(request.collection_name).loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad' })),

    Upsert: method('Upsert', (request: { collection_name: string; fields_data: FieldData[]; num_rows: number; partial_update: boolean }) => {
      const stored = collection(request.collection_name)
      if (request.partial_update) throw new MilvusError(CODE.invalidParameter, 'this protocol server takes whole rows (partial_update off)')
      const rows = columnsToRows(stored, request.fields_data, request.num_rows)
      for (const row of rows) {
        const id = String(row.scalars[stored.primary.name])
        stored.rows.set(id, row)
        stored.search?.upsertSync([{ id, label: '', vector: row.vector }])
      }
      const ids = rows.map((row) => row.scalars[stored.primary.name]!)
      return { IDs: idsOf(stored, ids), succ_index: rows.map((_, i) => i), err_index: [], upsert_cnt: String(rows.length), insert_cnt: String(rows.length), delete_cnt: '0', timestamp: String(BigInt(Date.now()) << 18n) }
    }),

    Flush: method('Flush', (request: { collection_names: string[] }) => {
      for (const name of request.collection_names) collection(name)
      const segments = Object.fromEntries(request.collection_names.map((name) => [name, { data: [String(collections.get(name)!.id + 1)] }]))
      return { db_name: 'default', coll_segIDs: segments, flush_coll_segIDs: segments, coll_seal_times: {}, coll_flush_ts: {} }
    }),
    GetFlushState: method('GetFlushState', () => ({ flushed: true })),

    Search: method('Search', (request: {
      collection_name: string; dsl: string; placeholder_group?: Buffer; ids?: unknown; search_input?: string; output_fields: string[]; search_params: KeyValue[]; nq: string; partition_names: string[]
    }) => {
      const stored = collection(request.collection_name)
      if (!stored.loaded || !stored.index || !stored.search) throw new MilvusError(CODE.collectionNotLoaded, `collection not loaded[collection=${stored.id}]`)
      if (request.search_input !== 'placeholder_group' || !request.placeholder_group) throw new MilvusError(CODE.invalidParameter, 'this protocol server searches by vectors (a placeholder group) only')
      const annsField = param(request.search_params, 'anns_field') ?? stored.vectorField.name
      if (annsField !== stored.vectorField.name) throw new MilvusError(CODE.invalidParameter, `failed to get field schema by name: fieldName(${annsField}) not found`)
      const topk = Number(param(request.search_params, 'topk') ?? param(request.search_params, 'limit'))
      if (!(Number.isInteger(topk) && topk >= 1 && topk <= MAX_TOPK)) throw new MilvusError(CODE.invalidParameter, `topk [${topk}] is invalid, it should be in range [1, ${MAX_TOPK}], but got ${topk}`)
      const offset = Number(param(request.search_params, 'offset') ?? 0)
      const metricType = param(request.search_params, 'metric_type') || stored.index.metricType
      if (metricType !== stored.index.metricType) throw new MilvusError(CODE.invalidParameter, `metric type not match: invalid parameter[expected=${stored.index.metricType}][actual=${metricType}]`)
      const params = JSON.parse(param(request.search_params, 'params') ?? '{}') as Record<string, unknown>
      if (stored.index.indexType === 'HNSW' && params.ef !== undefined && Number(params.ef) < topk + offset) {
        throw new MilvusError(CODE.invalidParameter, `ef(${String(params.ef)}) should be larger than k(${topk + offset})`)
      }
      if (stored.index.indexType === 'IVF_FLAT' && params.nprobe !== undefined) {
        const nlist = Number(stored.index.params.nlist ?? 128)
        if (!(Number(params.nprobe) >= 1 && Number(params.nprobe) <= nlist)) throw new MilvusError(CODE.invalidParameter, `param 'nprobe' (${String(params.nprobe)}) should be in range [1, ${nlist}]`)
      }
      const group = PlaceholderGroup.toObject(PlaceholderGroup.decode(request.placeholder_group), { enums: String }) as { placeholders: { tag: string; type: string; values: Uint8Array[] }[] }
      const placeholder = group.placeholders[0]
      if (!placeholder || placeholder.type !== 'FloatVector') throw new MilvusError(CODE.invalidParameter, `this protocol server searches float vectors, got ${placeholder?.type ?? 'none'}`)
      const queries = placeholder.values.map((bytes) => floats(bytes))
      if (queries.length !== Number(request.nq)) throw new MilvusError(CODE.invalidParameter, `nq (${request.nq}) does not match the placeholder group's ${queries.length} vectors`)
      for (const query of queries) {
        if (query.length !== stored.dimension) throw new MilvusError(CODE.invalidParameter, `the dimension of the vector_field (${stored.vectorField.name}) is ${stored.dimension}, but the dimension of the query vector is ${query.length}: invalid parameter`)
      }
      const filter = expression(stored, request.dsl)
      // Milvus returns the primary key among the output fields (the client reads each hit's id from there).
      const outputs = [...new Set([...outputFields(stored, request.output_fields), stored.primary.name])]
      const ids: (string | number)[] = []
      const scores: number[] = []
      const topks: string[] = []
      const columns = new Map(outputs.map((name) => [name, [] as (string | number)[]]))
      for (const query of queries) {
        const found = stored.search.querySync(query, filter ? stored.search.size : topk + offset)
          .filter((match) => !filter || evaluate(filter, stored.rows.get(match.id)!.scalars))
          .slice(offset, offset + topk)
        topks.push(String(found.length))
        for (const match of found) {
          const row = stored.rows.get(match.id)!
          ids.push(row.scalars[stored.primary.name]!)
          // Milvus' L2 is the squared distance (lower nearer); ExactIndex scores it negated.
          scores.push(stored.index.metricType === 'L2' ? -match.score : match.score)
          for (const [name, values] of columns) values.push(row.scalars[name]!)
        }
      }
      return {
        collection_name: stored.name,
        results: {
          num_queries: String(queries.length), top_k: String(topk), scores, ids: idsOf(stored, ids), topks, output_fields: outputs, primary_field_name: stored.primary.name,
          fields_data: [...columns].map(([name, values]) => scalarColumn(stored, name, values)),
        },
      }
    }),

    Query: method('Query', (request: { collection_name: string; expr: string; output_fields: string[]; query_params: KeyValue[] }) => {
      const stored = collection(request.collection_name)
      if (!stored.loaded) throw new MilvusError(CODE.collectionNotLoaded, `collection not loaded[collection=${stored.id}]`)
      const filter = expression(stored, request.expr)
      const rows = [...stored.rows.values()].filter((row) => evaluate(filter, row.scalars))
      if (request.output_fields.length === 1 && request.output_fields[0]!.toLowerCase() === 'count(*)') {
        return { collection_name: stored.name, output_fields: ['count(*)'], fields_data: [{ type: 'Int64', field_name: 'count(*)', scalars: { long_data: { data: [String(rows.length)] } } }] }
      }
      if (!filter && param(request.query_params, 'limit') === undefined) throw new MilvusError(CODE.invalidParameter, 'empty expression should be used with limit')
      const offset = Number(param(request.query_params, 'offset') ?? 0)
      const limit = Number(param(request.query_params, 'limit') ?? rows.length)
      const page = rows.slice(offset, offset + limit)
      const outputs = [...new Set([stored.primary.name, ...outputFields(stored, request.output_fields)])]
      return {
        collection_name: stored.name, output_fields: outputs, primary_field_name: stored.primary.name,
        fields_data: outputs.map((name) => scalarColumn(stored, name, page.map((row) => row.scalars[name]!))),
      }
    }),

    Delete: method('Delete', (request: { collection_name: string; expr: string }) => {
      const stored = collection(request.collection_name)
      const filter = expression(stored, request.expr)
      if (!filter) throw new MilvusError(CODE.invalidParameter, 'delete plan can\'t be empty or always true : ' + request.expr)
      const hits = [...stored.rows].filter(([, row]) => evaluate(filter, row.scalars))
      for (const [id] of hits) stored.rows.delete(id)
      void stored.search?.delete(hits.map(([id]) => id))
      return { IDs: idsOf(stored, hits.map(([, row]) => row.scalars[stored.primary.name]!)), delete_cnt: String(hits.length), upsert_cnt: '0', insert_cnt: '0', succ_index: [], err_index: [], timestamp: String(BigInt(Date.now()) << 18n) }
    }),
  })

  const server = new grpc.Server()
  server.addService(SERVICE, implementation)
  const port = await listen(server)
  return { address: `127.0.0.1:${port}`, token, requests, stop: () => shutdown(server) }
}

/** The request's columns as rows, checked against the schema as Milvus checks them. */
function columnsToRows(stored: StoredCollection, columns: FieldData[], numRows: number): { scalars: Record<string, string | number>; vector: Float32Array }[] {
  const byName = new Map(columns.map((column) => [column.field_name, column]))
  for (const name of byName.keys()) {
    if (!stored.schema.fields.some((field) => field.name === name)) throw new MilvusError(CODE.invalidParameter, `the field (${name}) is not in the schema of collection ${stored.name}: invalid parameter`)
  }
  const rows = Array.from({ length: numRows }, () => ({ scalars: {} as Record<string, string | number>, vector: new Float32Array(0) }))
  for (const field of stored.schema.fields) {
    const column = byName.get(field.name)
    if (!column) throw new MilvusError(CODE.invalidParameter, `fieldSchema(${field.name}) has no corresponding fieldData pass in: invalid parameter`)
    if (column.type !== field.data_type) throw new MilvusError(CODE.invalidParameter, `field ${field.name}: data type ${column.type} does not match the schema's ${field.data_type}`)
    if (field.data_type === 'FloatVector') {
      const dimension = Number(column.vectors?.dim)
      if (dimension !== stored.dimension) {
        throw new MilvusError(CODE.invalidParameter, `the dim (${dimension}) of field data(${field.name}) is not equal to schema dim (${stored.dimension}): invalid parameter[expected=${stored.dimension}][actual=${dimension}]`)
      }
      const data = column.vectors?.float_vector?.data ?? []
      if (data.length % dimension !== 0) throw new MilvusError(CODE.invalidParameter, `the length(${data.length}) of float data should divide the dim(${dimension}): invalid parameter`)
      if (data.length !== numRows * dimension) throw new MilvusError(CODE.invalidParameter, `the num_rows (${numRows}) of field (${field.name}) is not equal to passed num_rows (${data.length / dimension}): invalid parameter`)
      rows.forEach((row, i) => (row.vector = Float32Array.from(data.slice(i * dimension, (i + 1) * dimension))))
      continue
    }
    const values: (string | number)[] = field.data_type === 'VarChar' ? (column.scalars?.string_data?.data ?? []) : (column.scalars?.long_data?.data ?? []).map(Number)
    if (values.length !== numRows) throw new MilvusError(CODE.invalidParameter, `the num_rows (${numRows}) of field (${field.name}) is not equal to passed num_rows (${values.length}): invalid parameter`)
    const maxLength = Number(param(field.type_params, 'max_length'))
    values.forEach((value, i) => {
      if (field.data_type === 'VarChar' && Buffer.byteLength(String(value)) > maxLength) {
        throw new MilvusError(CODE.invalidParameter, `length of varchar field ${field.name} exceeds max length, row number: ${i}, length: ${Buffer.byteLength(String(value))}, max length: ${maxLength}: invalid parameter`)
      }
      rows[i]!.scalars[field.name] = value
    })
  }
  return rows
}

function expression(stored: StoredCollection, source: string): Expression | undefined {
  let parsed: Expression | undefined
  try {
    parsed = parseExpression(source)
  } catch (error) {
    throw new MilvusError(CODE.invalidParameter, `failed to create query plan: ${(error as Error).message}: invalid parameter`)
  }
  for (const name of fieldsOf(parsed)) {
    const field = stored.schema.fields.find((candidate) => candidate.name === name)
    if (!field) throw new MilvusError(CODE.invalidParameter, `failed to create query plan: cannot parse expression: ${source}, error: field ${name} not exist: invalid parameter`)
    if (field.data_type === 'FloatVector') throw new MilvusError(CODE.invalidParameter, `failed to create query plan: cannot parse expression: ${source}, error: vector field ${name} cannot be filtered: invalid parameter`)
  }
  return parsed
}

/** The scalar fields a search or query returns (`*`: all of them; the vector is not returned here). */
function outputFields(stored: StoredCollection, asked: string[]): string[] {
  const scalars = stored.schema.fields.filter((field) => field.data_type !== 'FloatVector').map((field) => field.name)
  const names = asked.includes('*') ? scalars : asked
  for (const name of names) {
    if (name === stored.vectorField.name) throw new MilvusError(CODE.invalidParameter, `this protocol server does not return vector fields (${name})`)
    if (!scalars.includes(name)) throw new MilvusError(CODE.invalidParameter, `field ${name} not exist: invalid parameter`)
  }
  return names
}

function scalarColumn(stored: StoredCollection, name: string, values: (string | number)[]) {
  const field = stored.schema.fields.find((candidate) => candidate.name === name)!
  return field.data_type === 'VarChar'
    ? { type: 'VarChar', field_name: name, field_id: field.fieldID, scalars: { string_data: { data: values.map(String) } } }
    : { type: 'Int64', field_name: name, field_id: field.fieldID, scalars: { long_data: { data: values.map(String) } } }
}

function idsOf(stored: StoredCollection, ids: (string | number)[]) {
  return stored.primary.data_type === 'VarChar' ? { str_id: { data: ids.map(String) } } : { int_id: { data: ids.map(String) } }
}

/** A placeholder's little-endian float32 bytes. */
function floats(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new MilvusError(CODE.invalidParameter, 'a float vector placeholder is not float32 bytes')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true))
}
