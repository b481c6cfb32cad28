import { and, desc, eq, lt, or } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { datasets } from '../db/schema'
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
