import { createServer } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { PGliteWireServer } from './embedded/pglite-wire-server'
import { isTransientDatabaseError, retryUnsentQueries } from './transient'

describe('transient database errors', () => {
  it('tells "try again" from "this is wrong"', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true)
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isTransientDatabaseError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true)
    expect(isTransientDatabaseError(Object.assign(new Error('could not serialize access'), { code: '40001' }))).toBe(true)
    // drizzle wraps the driver's error: the code is found on the cause.
    expect(isTransientDatabaseError(new Error('Failed query: update runs', { cause: Object.assign(new Error('x'), { code: '08006' }) }))).toBe(true)
    expect(isTransientDatabaseError(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false)
    expect(isTransientDatabaseError(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toBe(false)
    expect(isTransientDatabaseError(new Error('the handler failed'))).toBe(false)
  })

  it('retries a query while the server is not listening yet, and answers once it is', async () => {
    const port = await freePort()
    const pool = new pg.Pool({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`, max: 1 })
    retryUnsentQueries(pool)
    const db = await PGlite.create()
    const server = new PGliteWireServer(db, { port })
    try {
      const answer = pool.query('SELECT 41 + 1 AS n')
      await new Promise((resolve) => setTimeout(resolve, 400)) // the first tries are refused
      await server.start()
      expect((await answer).rows).toEqual([{ n: 42 }])
    } finally {
      await pool.end()
      await server.stop()
      await db.close()
    }
  })

  it('does not retry an error the statement itself caused', async () => {
    const db = await PGlite.create()
    const server = new PGliteWireServer(db)
    const { port } = await server.start()
    const pool = new pg.Pool({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`, max: 1 })
    retryUnsentQueries(pool)
    try {
      const started = Date.now()
      await expect(pool.query('SELECT * FROM missing_table')).rejects.toMatchObject({ code: '42P01' })
      expect(Date.now() - started).toBeLessThan(1_000)
    } finally {
      await pool.end()
      await server.stop()
      await db.close()
    }
  })
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}
