import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, Index, type Connection, type Table } from '@lancedb/lancedb'
import { Field, FixedSizeList, Float32, Schema, Utf8 } from 'apache-arrow'
import { checkDimension, checkSpec, lastById, readSettings } from './settings'
import type { IndexSpec, IndexStats, Match, Metric, VectorIndex, VectorRecord, VectorStore } from './types'

/**
 * LanceDB's settings: `index` is `none` (exact scan), `ivf_flat`, `ivf_pq` or `hnsw_sq`;
 * `partitions` (0: LanceDB's own choice, about sqrt(rows)), `subVectors` for PQ (0: its
 * default), `m` and `efConstruction` for HNSW; `nprobes`, `refineFactor` and `ef` at query time.
 */
export const LANCEDB_DEFAULTS = { index: 'ivf_flat', partitions: 0, subVectors: 0, m: 20, efConstruction: 300, nprobes: 20, refineFactor: 0, ef: 0 }

const DISTANCE_TYPE: Record<Metric, 'cosine' | 'l2' | 'dot'> = { cosine: 'cosine', l2: 'l2', ip: 'dot' }

/** LanceDB distances to `Match.score`: cosine is 1 - cos, dot is 1 - dot, l2 the squared distance. */
export function lancedbScore(metric: Metric, distance: number): number {
  return metric === 'l2' ? -distance : 1 - distance
}

export class LancedbIndex implements VectorIndex {
  private readonly settings: typeof LANCEDB_DEFAULTS
  /** Whether queries go through a vector index (built by `optimize`) rather than a flat scan. */
  private indexed = false

  constructor(readonly table: Table, private readonly folder: string, readonly spec: IndexSpec) {
    this.settings = readSettings('lancedb', spec, LANCEDB_DEFAULTS)
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const rows = lastById(records).map((record) => {
      checkDimension(this.spec, record.vector)
      return { id: record.id, label: record.label, vector: record.vector }
    })
    if (rows.length === 0) return
    await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows)
  }

  /** Trains and writes the ANN index (IVF centroids, PQ codebooks or the HNSW graph) over what was loaded. */
  async optimize(): Promise<void> {
    const { index, partitions, subVectors, m, efConstruction } = this.settings
    if (index === 'none') return
    const distanceType = DISTANCE_TYPE[this.spec.metric]
    const numPartitions = partitions > 0 ? partitions : undefined
    const config = index === 'ivf_flat' ? Index.ivfFlat({ distanceType, numPartitions })
      : index === 'ivf_pq' ? Index.ivfPq({ distanceType, numPartitions, numSubVectors: subVectors > 0 ? subVectors : undefined })
        : index === 'hnsw_sq' ? Index.hnswSq({ distanceType, numPartitions: numPartitions ?? 1, m, efConstruction })
          : undefined
    if (!config) throw new Error(`lancedb index ${this.spec.name}: index must be none, ivf_flat, ivf_pq or hnsw_sq, got ${index}`)
    await this.table.createIndex('vector', { config, replace: true })
    this.indexed = true
  }

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    checkDimension(this.spec, vector)
    let query = this.table.vectorSearch(vector).distanceType(DISTANCE_TYPE[this.spec.metric]).select(['id', 'label', '_distance']).limit(k)
    if (this.indexed) query = query.nprobes(this.settings.nprobes)
    if (this.settings.refineFactor > 0) query = query.refineFactor(this.settings.refineFactor)
    if (this.settings.ef > 0) query = query.ef(this.settings.ef)
    const rows = (await query.toArray()) as { id: string; label: string; _distance: number }[]
    return rows.map((row) => ({ id: row.id, label: row.label, score: lancedbScore(this.spec.metric, row._distance) }))
  }

  async stats(): Promise<IndexStats> {
    return { count: await this.table.countRows(), dimension: this.spec.dimension, metric: this.spec.metric, bytes: folderBytes(join(this.folder, `${this.spec.name}.lance`)) }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    await this.table.delete(`id IN (${ids.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ')})`)
  }
}

/** Bytes under a folder: LanceDB's table is its files (data, deletion files, index). */
function folderBytes(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return 0
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((sum, name) => sum + folderBytes(join(path, name)), 0)
}

/** LanceDB embedded: tables are files in a folder (a temporary one unless given), no server. */
export class LancedbStore implements VectorStore {
  readonly name = 'lancedb'
  private connection: Connection | undefined
  private readonly folder: string
  /** A folder the store made itself is removed on close; a given one is kept. */
  private readonly temporary: boolean

  constructor(folder?: string) {
    this.temporary = folder === undefined
    this.folder = folder ?? mkdtempSync(join(tmpdir(), 'lancedb-'))
  }

  async createIndex(spec: IndexSpec): Promise<LancedbIndex> {
    checkSpec(spec)
    readSettings('lancedb', spec, LANCEDB_DEFAULTS)
    this.connection ??= await connect(this.folder)
    const schema = new Schema([
      new Field('id', new Utf8(), false),
      new Field('label', new Utf8(), false),
      new Field('vector', new FixedSizeList(spec.dimension, new Field('item', new Float32(), true)), false),
    ])
    const table = await this.connection.createEmptyTable(spec.name, schema, { mode: 'overwrite' })
    return new LancedbIndex(table, this.folder, spec)
  }

  async dropIndex(name: string): Promise<void> {
    checkSpec({ name, dimension: 1, metric: 'l2' })
    this.connection ??= await connect(this.folder)
    if ((await this.connection.tableNames()).includes(name)) await this.connection.dropTable(name)
  }

  async close(): Promise<void> {
    this.connection?.close()
    this.connection = undefined
    if (this.temporary) rmSync(this.folder, { recursive: true, force: true })
  }
}
