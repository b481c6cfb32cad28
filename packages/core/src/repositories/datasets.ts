import { and, count, desc, eq, lt, or } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { benchmarks, datasets } from '../db/schema'
import { notFound } from '../errors'
import { decodeCursor, toPage, type Page, type PageRequest } from './pagination'

export type DatasetRow = typeof datasets.$inferSelect
export type NewDataset = typeof datasets.$inferInsert

/** Inserts a dataset, or returns the one already stored with the same content. */
export async function saveDataset(db: Database, dataset: NewDataset): Promise<{ dataset: DatasetRow; created: boolean }> {
  const inserted = await db.insert(datasets).values(dataset).onConflictDoNothing({ target: datasets.contentHash }).returning()
  if (inserted[0]) return { dataset: inserted[0], created: true }
  const [existing] = await db.select().from(datasets).where(eq(datasets.contentHash, dataset.contentHash))
  return { dataset: existing!, created: false }
}

export async function findDataset(db: Database, id: string): Promise<DatasetRow | undefined> {
  const [row] = await db.select().from(datasets).where(eq(datasets.id, id))
  return row
}

export async function getDataset(db: Database, id: string): Promise<DatasetRow> {
  const row = await findDataset(db, id)
  if (!row) throw notFound('dataset', id)
  return row
}

export async function listDatasets(db: Database, page: PageRequest): Promise<Page<DatasetRow>> {
  const after = page.cursor ? decodeCursor(page.cursor) : undefined
  const rows = await db.select().from(datasets)
    .where(after ? or(lt(datasets.createdAt, after.createdAt), and(eq(datasets.createdAt, after.createdAt), lt(datasets.id, after.id))) : undefined)
    .orderBy(desc(datasets.createdAt), desc(datasets.id))
    .limit(page.limit + 1)
  return toPage(rows, page.limit)
}

/** What uses a dataset: the benchmarks on it (their runs, and deployments of those runs, read it). At most `limit` are listed. */
export interface DatasetDependants {
  total: number
  benchmarks: { id: string; name: string; status: string }[]
}

export async function listDatasetDependants(db: Pick<Database, 'select'>, id: string, limit = 10): Promise<DatasetDependants> {
  const [counted] = await db.select({ total: count() }).from(benchmarks).where(eq(benchmarks.datasetId, id))
  const listed = await db.select({ id: benchmarks.id, name: benchmarks.name, status: benchmarks.status }).from(benchmarks)
    .where(eq(benchmarks.datasetId, id)).orderBy(desc(benchmarks.createdAt), desc(benchmarks.id)).limit(limit)
  return { total: Number(counted?.total ?? 0), benchmarks: listed }
}

export type DatasetDeletion =
  | { outcome: 'deleted'; dataset: DatasetRow }
  | { outcome: 'missing' }
  | { outcome: 'in-use'; dataset: DatasetRow; dependants: DatasetDependants }

/**
 * Deletes a dataset's row unless a benchmark uses it. The row is locked first, so a
 * benchmark being created on it either committed before (and is counted) or waits
 * and then fails its foreign key. `beforeCommit` (erasing the files) runs after the
 * row is deleted and before the transaction commits: if it throws, the row stays and
 * the deletion can be retried.
 */
export async function deleteDatasetRow(db: Database, id: string, beforeCommit: (dataset: DatasetRow) => Promise<void>): Promise<DatasetDeletion> {
  return db.transaction(async (tx) => {
    const [dataset] = await tx.select().from(datasets).where(eq(datasets.id, id)).for('update')
    if (!dataset) return { outcome: 'missing' as const }
    const dependants = await listDatasetDependants(tx, id)
    if (dependants.total > 0) return { outcome: 'in-use' as const, dataset, dependants }
    await tx.delete(datasets).where(eq(datasets.id, id))
    await beforeCommit(dataset)
    return { outcome: 'deleted' as const, dataset }
  })
}
