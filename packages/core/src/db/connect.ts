import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { PGliteWireServer } from './embedded/pglite-wire-server'
import * as schema from './schema'
import { retryUnsentQueries } from './transient'

export type Database = NodePgDatabase<typeof schema>

export interface DatabaseHandle {
  db: Database
  /** A connection string that child processes (job containers) can use. */
  url: string
  kind: 'pglite' | 'postgres'
  close(): Promise<void>
}

const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../migrations')

/**
 * Connects to Postgres. With a URL: that server (RDS in production, the local
 * Postgres in CI). Without: an embedded PGlite, file-backed when `dataDir` is
 * given, in memory otherwise.
 *
 * PGlite is served over the Postgres wire protocol on a loopback port, and every
 * client, this process included, talks to it through node-postgres. One driver for
 * both worlds, and the job processes the local runner starts can share the
 * database exactly as Batch containers share RDS. PGlite is one session, so the
 * server runs each connection's request (and transaction) whole, one at a time:
 * see PGliteWireServer.
 */
export async function openDatabase(options: { url?: string; dataDir?: string; migrate?: boolean } = {}): Promise<DatabaseHandle> {
  const handle = options.url ? connectPostgres(options.url) : await startEmbeddedPostgres(options.dataDir)
  if (options.migrate !== false) await migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER })
  return handle
}

function connectPostgres(url: string, onClose?: () => Promise<void>): DatabaseHandle & { pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: 5 })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  retryUnsentQueries(pool)
  return {
    db: drizzle(pool, { schema }),
    pool,
    url,
    kind: onClose ? 'pglite' : 'postgres',
    async close() {
      await pool.end()
      await onClose?.()
    },
  }
}

async function startEmbeddedPostgres(dataDir?: string): Promise<DatabaseHandle> {
  const [{ PGlite }, { vector }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-pgvector')])
  if (dataDir) mkdirSync(dataDir, { recursive: true })
  // pgvector is made available here; migration 0002 creates it.
  const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { vector } })
  const server = new PGliteWireServer(pglite)
  const { host, port } = await server.start()
  const url = `postgresql://postgres@${host}:${port}/postgres`
  return connectPostgres(url, async () => {
    await server.stop()
    await pglite.close()
  })
}
