import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from './connect'
import { datasets } from './schema'
import { testDatabaseTargets } from './testing'

describe('openDatabase (embedded PGlite)', () => {
  const opened = openDatabase()
  afterAll(async () => (await opened).close())

  it('applies the migrations and serves the database over the wire protocol', async () => {
    const { db, url, kind } = await opened
    expect(kind).toBe('pglite')
    expect(url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
    expect(await db.select().from(datasets)).toEqual([])
  })

  it('has pgvector: the extension is loaded and created by the migrations', async () => {
    const { db } = await opened
    const { rows } = await db.execute<{ distance: number }>(sql`SELECT '[1,2,3]'::vector <-> '[1,2,5]'::vector AS distance`)
    expect(rows).toEqual([{ distance: 2 }])
  })
})

describe.each(testDatabaseTargets())('migrations on $name', ({ open }) => {
  it('create pgvector exactly where the server has it, and migrate either way', async () => {
    const handle = await open()
    try {
      const available = await handle.db.execute(sql`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`)
      const created = await handle.db.execute(sql`SELECT 1 FROM pg_extension WHERE extname = 'vector'`)
      expect(created.rows.length).toBe(available.rows.length)
    } finally {
      await handle.close()
    }
  })
})
