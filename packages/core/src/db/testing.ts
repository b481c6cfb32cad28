import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { setting } from '@bankbench/settings'
import { openDatabase, type DatabaseHandle } from './connect'

/**
 * The databases a repository test runs against: the embedded PGlite always, and
 * the real Postgres at TEST_DATABASE_URL or DATABASE_URL when set (CI sets it). Each
 * gets a fresh, migrated, throwaway database.
 */
export function testDatabaseTargets(): { name: string; open: () => Promise<DatabaseHandle> }[] {
  const targets = [{ name: 'pglite', open: () => openDatabase() }]
  const serverUrl = setting('TEST_DATABASE_URL') ?? setting('DATABASE_URL')
  if (serverUrl) targets.push({ name: 'postgres', open: () => openThrowawayPostgres(serverUrl) })
  return targets
}

async function openThrowawayPostgres(serverUrl: string): Promise<DatabaseHandle> {
  const name = `bankbench_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const handle = await openDatabase({ url: url.toString() })
  return {
    ...handle,
    async close() {
      await handle.close()
      const cleanup = new pg.Client({ connectionString: serverUrl })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleanup.end()
    },
  }
}
