import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLASSIFY_DATABASE_ROLE, classifyDatabaseUrl, classifyRolePassword } from './classify-role-settings'
import { classifyRoleStatements, ensureClassifyRole } from './classify-role'
import { openDatabase, type Database, type DatabaseHandle } from './db/connect'
import { createApiKey, findApiKey } from './repositories/api-keys'
import { getActiveDeployment } from './repositories/deployments'
import { getRun, listRunArtifacts } from './repositories/runs'
import { loadConfig } from './config'
import { createPlatform } from './platform'

/** The SQLSTATE of a failed query, whether or not the query builder wrapped the driver's error. */
const sqlState = (error: unknown) => (error as { cause?: { code?: string }; code?: string }).cause?.code ?? (error as { code?: string }).code

/** Runs `work` as the classify role, in a transaction whose role ends with it (PGlite is one session). */
async function asClassifyRole<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`SET LOCAL ROLE ${CLASSIFY_DATABASE_ROLE}`))
    return work(tx as unknown as Database)
  })
}

describe('the classify database role', () => {
  let database: DatabaseHandle
  beforeAll(async () => {
    database = await openDatabase()
    // Twice: every API cold start runs it.
    await ensureClassifyRole(database.db, 'owner-password')
    await ensureClassifyRole(database.db, 'owner-password')
  })
  afterAll(async () => database.close())

  it('may log in, and is nothing more than a login', async () => {
    const { rows } = await database.db.execute(sql`SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolconfig FROM pg_roles WHERE rolname = ${CLASSIFY_DATABASE_ROLE}`)
    expect(rows).toEqual([{ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolconfig: ['default_transaction_read_only=on'] }])
  })

  it('runs every read of the classify path', async () => {
    const { key, row } = await createApiKey(database.db, 'dev')
    await asClassifyRole(database.db, async (tx) => {
      expect((await findApiKey(tx, key)).id).toBe(row.id)
      await expect(getActiveDeployment(tx, 'dev')).rejects.toMatchObject({ status: 404 })
      await expect(getRun(tx, 'run_missing')).rejects.toMatchObject({ status: 404 })
      expect(await listRunArtifacts(tx, 'run_missing')).toEqual([])
    })
  })

  it('cannot write anything, nor read what classify does not need', async () => {
    for (const statement of [
      `INSERT INTO api_keys (id, stage, key_hash) VALUES ('key_x', 'dev', 'x')`,
      `UPDATE api_keys SET revoked_at = NULL`,
      `DELETE FROM deployments`,
      `UPDATE runs SET status = 'failed'`,
      `SELECT * FROM benchmarks`,
      `SELECT * FROM datasets`,
      `SELECT * FROM jobs`,
      `SELECT * FROM run_metrics`,
      `CREATE TABLE intruder (id int)`,
    ]) {
      const error = await asClassifyRole(database.db, (tx) => tx.execute(sql.raw(statement))).then(() => null, (failure: unknown) => failure)
      expect([statement, sqlState(error)]).toEqual([statement, '42501']) // insufficient_privilege
    }
  })

  it('gets a password derived from the owner\'s, and a URL that differs only in its credentials', () => {
    const owner = 'postgresql://postgres:p%40ss%2Fw%3Ard@db.internal:5432/bankbench?sslmode=no-verify'
    const url = new URL(classifyDatabaseUrl(owner))
    expect([url.username, url.host, url.pathname, url.search]).toEqual([CLASSIFY_DATABASE_ROLE, 'db.internal:5432', '/bankbench', '?sslmode=no-verify'])
    expect(url.password).toBe(classifyRolePassword('p@ss/w:rd'))
    expect(url.password).toMatch(/^[0-9a-f]{64}$/)
    expect(classifyRolePassword('another')).not.toBe(url.password)
    expect(() => classifyRoleStatements("x'; DROP TABLE runs; --")).toThrow(/64 hex digits/)
  })
})

describe('a read-only platform (the inference function)', () => {
  it('neither migrates, nor registers datasets, nor starts a job runner', async () => {
    const empty = await openDatabase({ migrate: false })
    try {
      const platform = await createPlatform(loadConfig({ DATABASE_URL: empty.url, BANKBENCH_HOME: '/nonexistent/bankbench-home' }), { readOnly: true })
      const { rows } = await empty.db.execute(sql`SELECT count(*)::int AS tables FROM information_schema.tables WHERE table_schema IN ('public', 'drizzle')`)
      expect(rows).toEqual([{ tables: 0 }])
      await expect(platform.queue.submit({} as never)).rejects.toThrow(/read-only/)
      await platform.close()
    } finally {
      await empty.close()
    }
  })
})
