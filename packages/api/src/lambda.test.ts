import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLASSIFY_DATABASE_ROLE, openDatabase, type DatabaseHandle } from '@bankbench/core'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openApiPlatform } from './lambda'

describe('the API Lambda platform', () => {
  let database: DatabaseHandle
  let home: string
  beforeAll(async () => {
    database = await openDatabase()
    home = mkdtempSync(join(tmpdir(), 'bankbench-lambda-'))
  })
  afterAll(async () => {
    await database.close()
    rmSync(home, { recursive: true, force: true })
  })

  it('creates the read-only classify role when infra asks it to, and keeps serving when it cannot', async () => {
    // The embedded server takes any password; the role's is derived from the one in the URL.
    const withPassword = database.url.replace('postgresql://postgres@', 'postgresql://postgres:owner-secret@')
    const env = { BANKBENCH_HOME: home, DATABASE_URL: withPassword, BANKBENCH_PROVISION_CLASSIFY_ROLE: '1' }
    const platform = await openApiPlatform(env)
    await platform.close()
    const { rows } = await database.db.execute(sql`SELECT rolcanlogin FROM pg_roles WHERE rolname = ${CLASSIFY_DATABASE_ROLE}`)
    expect(rows).toEqual([{ rolcanlogin: true }])

    // No password to derive one from: logged, and the API opens anyway.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    await (await openApiPlatform({ ...env, DATABASE_URL: database.url })).close()
    expect(logged.mock.calls.flat().join('\n')).toContain('could not create the read-only classify role')
    logged.mockRestore()
  })
})
