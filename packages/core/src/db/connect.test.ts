import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from './connect'
import { datasets } from './schema'

describe('openDatabase (embedded PGlite)', () => {
  const opened = openDatabase()
  afterAll(async () => (await opened).close())

  it('applies the migrations and serves the database over the wire protocol', async () => {
    const { db, url, kind } = await opened
    expect(kind).toBe('pglite')
    expect(url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
    expect(await db.select().from(datasets)).toEqual([])
  })
})
