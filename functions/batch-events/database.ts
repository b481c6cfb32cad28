import { openDatabase, type Database, type DatabaseHandle } from '@bankbench/core'
import { setting } from '@bankbench/settings'

let opened: { url: string; handle: Promise<DatabaseHandle> } | undefined

/**
 * The database at DATABASE_URL, connected once per warm Lambda container and
 * reused by later invocations. Migrations are the deploy's job, not every cold
 * start's. A failed connection is forgotten so that the next invocation tries again.
 */
export async function database(): Promise<Database> {
  const url = setting('DATABASE_URL')
  if (!url) throw new Error('DATABASE_URL is not set; the batch-events functions reconcile jobs in that database')
  // A container keeps one URL for its life; comparing it lets tests point the function at a new database.
  if (opened?.url !== url) {
    const handle = openDatabase({ url, migrate: false })
    opened = { url, handle }
    handle.catch(() => { if (opened?.handle === handle) opened = undefined })
  }
  return (await opened.handle).db
}
