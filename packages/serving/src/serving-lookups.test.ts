import { apiKeyFromAuthorization, createApiKey, openDatabase, schema, type DatabaseHandle } from '@bankbench/core'
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
    // No clock in the test: one instance whose entries outlive it, one whose entries are expired at once.
    const remembering = new ServingLookups(60_000)
    const expiring = new ServingLookups(0)
    const { row, key } = await createApiKey(database.db, 'dev')
    expect(await remembering.apiKey(database.db, key)).toEqual(row)
    expect(await expiring.apiKey(database.db, key)).toEqual(row)
    await database.db.delete(schema.apiKeys).where(eq(schema.apiKeys.id, row.id))
    // Within the time to live the remembered row answers, without the database; past it, the database says no.
    expect(await remembering.apiKey(database.db, key)).toEqual(row)
    await expect(expiring.apiKey(database.db, key)).rejects.toMatchObject({ status: 401 })

    const unknown = apiKeyFromAuthorization('Bearer bb_not-a-key')
    await expect(remembering.apiKey(database.db, unknown)).rejects.toMatchObject({ status: 401 })
    await expect(remembering.apiKey(database.db, unknown)).rejects.toMatchObject({ status: 401 })
  })

  it('reads a stage\'s deployment again once the stage is forgotten', async () => {
    const lookups = new ServingLookups(60_000)
    await expect(lookups.activeDeployment(database.db, 'dev')).rejects.toMatchObject({ status: 404 })
    lookups.forgetStage('dev')
    await expect(lookups.activeDeployment(database.db, 'dev')).rejects.toMatchObject({ status: 404 })
  })
})
