import { checkDimension, checkSpec, lastById, readSettings } from './settings'
import type { IndexSpec, IndexStats, Match, Metric, VectorIndex, VectorRecord, VectorStore } from './types'

/**
 * pgvector's settings: `index` is `hnsw` (graph; `m`, `efConstruction`, and `efSearch`
 * at query time), `ivfflat` (`lists` centroids, `probes` searched per query) or `none`
 * (exact scan). Defaults are pgvector's own.
 */
export const PGVECTOR_DEFAULTS = { index: 'hnsw', m: 16, efConstruction: 64, efSearch: 40, lists: 100, probes: 1 }

/**
 * One Postgres session: PGlite, or a single node-postgres `Client` (not a pool: the
 * query-time settings `hnsw.ef_search` and `ivfflat.probes` are per session).
 */
export interface SqlSession {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>
}

const OPERATOR: Record<Metric, { distance: string; ops: string }> = {
  cosine: { distance: '<=>', ops: 'vector_cosine_ops' },
  ip: { distance: '<#>', ops: 'vector_ip_ops' },
  l2: { distance: '<->', ops: 'vector_l2_ops' },
}

/** pgvector distances to `Match.score`: `<=>` is 1 - cos, `<#>` is -dot, `<->` the (unsquared) Euclidean distance. */
export function pgvectorScore(metric: Metric, distance: number): number {
  if (metric === 'cosine') return 1 - distance
  if (metric === 'ip') return -distance
  return -(distance * distance)
}

/** A vector as pgvector's text input (`[1,2,3]`): node-postgres and PGlite both send it as text. */
export function vectorLiteral(vector: Float32Array): string {
  return `[${Array.prototype.join.call(vector, ',')}]`
}

const UPSERT_BATCH = 500

export class PgvectorIndex implements VectorIndex {
  private readonly settings: typeof PGVECTOR_DEFAULTS
  private readonly table: string

  constructor(private readonly session: SqlSession, readonly spec: IndexSpec) {
    checkSpec(spec)
    this.settings = readSettings('pgvector', spec, PGVECTOR_DEFAULTS)
    if (!['hnsw', 'ivfflat', 'none'].includes(this.settings.index)) throw new Error(`pgvector index ${spec.name}: index must be hnsw, ivfflat or none, got ${this.settings.index}`)
    this.table = tableName(spec.name)
  }

  async create(): Promise<void> {
    await this.session.query(`DROP TABLE IF EXISTS ${this.table}`)
    await this.session.query(`CREATE TABLE ${this.table} (id text PRIMARY KEY, label text NOT NULL, embedding vector(${this.spec.dimension}) NOT NULL)`)
    await this.applyQuerySettings()
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const unique = lastById(records)
    for (let start = 0; start < unique.length; start += UPSERT_BATCH) {
      const batch = unique.slice(start, start + UPSERT_BATCH)
      const params: unknown[] = []
      const rows = batch.map((record) => {
        checkDimension(this.spec, record.vector)
        params.push(record.id, record.label, vectorLiteral(record.vector))
        const n = params.length
        return `($${n - 2}, $${n - 1}, $${n}::vector)`
      })
      await this.session.query(
        `INSERT INTO ${this.table} (id, label, embedding) VALUES ${rows.join(', ')} ON CONFLICT (id) DO UPDATE SET label = excluded.label, embedding = excluded.embedding`,
        params,
      )
    }
  }

  /** Builds the ANN index after loading: IVFFlat needs the data for its centroids, and a bulk HNSW build is faster than one per insert. */
  async optimize(): Promise<void> {
    const { index, m, efConstruction, lists } = this.settings
    if (index === 'none') return
    const ops = OPERATOR[this.spec.metric].ops
    const options = index === 'hnsw' ? `m = ${m}, ef_construction = ${efConstruction}` : `lists = ${lists}`
    await this.session.query(`DROP INDEX IF EXISTS ${tableName(`${this.spec.name}_ann`)}`)
    await this.session.query(`CREATE INDEX ${tableName(`${this.spec.name}_ann`)} ON ${this.table} USING ${index} (embedding ${ops}) WITH (${options})`)
  }

  async query(vector: Float32Array, k: number): Promise<Match[]> {
    checkDimension(this.spec, vector)
    const operator = OPERATOR[this.spec.metric].distance
    const { rows } = await this.session.query<{ id: string; label: string; distance: number }>(
      `SELECT id, label, embedding ${operator} $1::vector AS distance FROM ${this.table} ORDER BY embedding ${operator} $1::vector LIMIT ${Math.trunc(k)}`,
      [vectorLiteral(vector)],
    )
    return rows.map((row) => ({ id: row.id, label: row.label, score: pgvectorScore(this.spec.metric, Number(row.distance)) }))
  }

  async stats(): Promise<IndexStats> {
    const { rows } = await this.session.query<{ count: string | number; bytes: string | number }>(
      `SELECT count(*) AS count, pg_total_relation_size('${this.table}') AS bytes FROM ${this.table}`,
    )
    return { count: Number(rows[0]!.count), dimension: this.spec.dimension, metric: this.spec.metric, bytes: Number(rows[0]!.bytes) }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    await this.session.query(`DELETE FROM ${this.table} WHERE id = ANY($1::text[])`, [ids])
  }

  /** `hnsw.ef_search` and `ivfflat.probes` are read at query time from the session. */
  private async applyQuerySettings(): Promise<void> {
    await this.session.query(`SET hnsw.ef_search = ${this.settings.efSearch}`)
    await this.session.query(`SET ivfflat.probes = ${this.settings.probes}`)
  }
}

/** Index names are checked (`checkSpec`) before they reach SQL; the prefix keeps them apart from the platform's tables. */
function tableName(name: string): string {
  return `"vs_${name}"`
}

/**
 * pgvector through any Postgres session that has the extension: PGlite in process
 * here (`pgliteVectorStore`), RDS/Aurora in production (a node-postgres `Client`).
 */
export class PgvectorStore implements VectorStore {
  readonly name = 'pgvector'

  constructor(private readonly session: SqlSession, private readonly onClose: () => Promise<void> = async () => {}) {}

  async createIndex(spec: IndexSpec): Promise<PgvectorIndex> {
    await this.session.query('CREATE EXTENSION IF NOT EXISTS vector')
    const index = new PgvectorIndex(this.session, spec)
    await index.create()
    return index
  }

  async dropIndex(name: string): Promise<void> {
    checkSpec({ name, dimension: 1, metric: 'l2' })
    await this.session.query(`DROP TABLE IF EXISTS ${tableName(name)}`)
  }

  async close(): Promise<void> {
    await this.onClose()
  }
}

/** pgvector in an in-memory PGlite (Postgres in WASM with pgvector 0.8): about 3-4 s to start. */
export async function pgliteVectorStore(): Promise<PgvectorStore> {
  const [{ PGlite }, { vector }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-pgvector')])
  const db = await PGlite.create({ extensions: { vector } })
  return new PgvectorStore(db, () => db.close())
}
