import { randomBytes } from 'node:crypto'
import { apiKeyFromAuthorization, createApiKey, openDatabase, revokeApiKey, schema, type Database, type DatabaseHandle } from '@bankbench/core'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServingLookups } from './serving-lookups'

/** The database, counting the queries made through it (every lookup is one `select`). */
function countingQueries(db: Database): { db: Database; queries: () => number } {
  let count = 0
  const counted = new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (property !== 'select' || typeof value !== 'function') return value
      return (...args: unknown[]) => {
        count++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { db: counted, queries: () => count }
}

const madeUpKey = () => apiKeyFromAuthorization(`Bearer bb_${randomBytes(32).toString('base64url')}`)

describe('ServingLookups', () => {
  let database: DatabaseHandle
  beforeAll(async () => {
    database = await openDatabase()
  })
  afterAll(async () => database.close())

  it('reuses a key for its time to live, then reads it again', async () => {
    // No clock in the test: one instance whose entries outlive it, one whose entries are expired at once.
    const remembering = new ServingLookups(60_000)
    const expiring = new ServingLookups(0, { unknownKeyTtlMs: 0 })
    const { row, key } = await createApiKey(database.db, 'dev')
    expect(await remembering.apiKey(database.db, key)).toEqual(row)
    expect(await expiring.apiKey(database.db, key)).toEqual(row)
    await database.db.delete(schema.apiKeys).where(eq(schema.apiKeys.id, row.id))
    // Within the time to live the remembered row answers, without the database; past it, the database says no.
    expect(await remembering.apiKey(database.db, key)).toEqual(row)
    await expect(expiring.apiKey(database.db, key)).rejects.toMatchObject({ status: 401 })
  })

  it('remembers unknown keys briefly: a flood of made-up keys reaches the database once per key, and repeats not at all', async () => {
    const { db, queries } = countingQueries(database.db)
    const lookups = new ServingLookups()
    const keys = Array.from({ length: 200 }, madeUpKey)
    for (const key of keys) await expect(lookups.apiKey(db, key)).rejects.toMatchObject({ status: 401, message: 'the API key is not valid' })
    expect(queries()).toBe(200)
    for (let round = 0; round < 5; round++) {
      for (const key of keys) await expect(lookups.apiKey(db, key)).rejects.toMatchObject({ status: 401, message: 'the API key is not valid' })
    }
    expect(queries()).toBe(200)
    // Concurrent requests with one new key share one lookup.
    const key = madeUpKey()
    await Promise.all(Array.from({ length: 20 }, () => expect(lookups.apiKey(db, key)).rejects.toMatchObject({ status: 401 })))
    expect(queries()).toBe(201)
  })

  it('forgets an unknown key after its time to live, and never remembers more keys than its bound', async () => {
    let now = 0
    const { db, queries } = countingQueries(database.db)
    const lookups = new ServingLookups(5_000, { unknownKeyTtlMs: 5_000, maxRememberedKeys: 10, now: () => now })
    const keys = Array.from({ length: 30 }, madeUpKey)
    for (const key of keys) await expect(lookups.apiKey(db, key)).rejects.toMatchObject({ status: 401 })
    expect(queries()).toBe(30)
    // The 10 most recent are remembered; the first ones were pushed out and are read again.
    for (const key of keys.slice(20)) await expect(lookups.apiKey(db, key)).rejects.toMatchObject({ status: 401 })
    expect(queries()).toBe(30)
    await expect(lookups.apiKey(db, keys[0]!)).rejects.toMatchObject({ status: 401 })
    expect(queries()).toBe(31)
    // Past the time to live the database is asked again.
    now = 5_001
    await expect(lookups.apiKey(db, keys[29]!)).rejects.toMatchObject({ status: 401 })
    expect(queries()).toBe(32)
  })

  it('does not remember a failure of the database itself', async () => {
    const { db, queries } = countingQueries(database.db)
    let failing = true
    const flaky = new Proxy(db, {
      get: (target, property, receiver) => (property === 'select' && failing ? () => { throw new Error('connection refused') } : Reflect.get(target, property, receiver) as unknown),
    })
    const lookups = new ServingLookups()
    const { row, key } = await createApiKey(database.db, 'dev')
    await expect(lookups.apiKey(flaky, key)).rejects.toThrow('connection refused')
    failing = false
    expect(await lookups.apiKey(flaky, key)).toEqual(row)
    expect(queries()).toBe(1)
  })

  it('refuses a revoked key at once in the process that forgets it, and an expired one even when remembered', async () => {
    const lookups = new ServingLookups(60_000)
    const revoked = await createApiKey(database.db, 'dev')
    expect((await lookups.apiKey(database.db, revoked.key)).id).toBe(revoked.row.id)
    await revokeApiKey(database.db, revoked.row.id)
    lookups.forgetApiKeys()
    await expect(lookups.apiKey(database.db, revoked.key)).rejects.toMatchObject({ status: 401, message: expect.stringContaining('revoked') })

    // Expiry is checked on every use: the remembered row itself says when the key stops working.
    const expiring = await createApiKey(database.db, 'dev', { expiresAt: new Date(Date.now() + 300) })
    expect((await lookups.apiKey(database.db, expiring.key)).id).toBe(expiring.row.id)
    await new Promise((resolve) => setTimeout(resolve, 350))
    await expect(lookups.apiKey(database.db, expiring.key)).rejects.toMatchObject({ status: 401, message: expect.stringContaining('expired') })
  })

  it('reads a stage\'s deployment again once the stage is forgotten', async () => {
    const lookups = new ServingLookups(60_000)
    await expect(lookups.activeDeployment(database.db, 'dev')).rejects.toMatchObject({ status: 404 })
    lookups.forgetStage('dev')
    await expect(lookups.activeDeployment(database.db, 'dev')).rejects.toMatchObject({ status: 404 })
  })
})
