import { createApiKey, openDatabase, schema, type DatabaseHandle } from '@bankbench/core'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServingLookups } from './serving-lookups'

describe('ServingLookups', () => {
  let database: DatabaseHandle
  beforeAll(async () => {
    database = await openDatabase()
  })
  afterAll(async () => database.close())

  it('reuses a key for its time to live, then reads it again; unknown keys are refused every time', async () => {
    const lookups = new ServingLookups(200)
    const { row, key } = await createApiKey(database.db, 'dev')
    const header = `Bearer ${key}`
    expect(await lookups.apiKey(database.db, header)).toEqual(row)
    await database.db.delete(schema.apiKeys).where(eq(schema.apiKeys.id, row.id))
    // Within the time to live the remembered row answers, without the database.
    expect(await lookups.apiKey(database.db, header)).toEqual(row)
    await new Promise((resolve) => setTimeout(resolve, 250))
    await expect(lookups.apiKey(database.db, header)).rejects.toMatchObject({ status: 401 })

    const unknown = 'Bearer bb_not-a-key'
    await expect(lookups.apiKey(database.db, unknown)).rejects.toMatchObject({ status: 401 })
    await expect(lookups.apiKey(database.db, unknown)).rejects.toMatchObject({ status: 401 })
  })

  it('reads a stage\'s deployment again once the stage is forgotten', async () => {
    const lookups = new ServingLookups(60_000)
    await expect(lookups.activeDeployment(database.db, 'dev')).rejects.toMatchObject({ status: 404 })
    lookups.forgetStage('dev')
    await expect(lookups.activeDeployment(database.db, 'dev')).rejects.toMatchObject({ status: 404 })
  })
})
