import { ProblemError } from '../errors'
import { CONTROL_CHARACTER } from '../validation'

/**
 * Keyset pagination over (created_at, id), newest first. The cursor is opaque to
 * clients: base64url of the last row's timestamp and id.
 */
export interface Page<T> { items: T[]; nextCursor: string | null }

export interface PageRequest { limit: number; cursor?: string | undefined }

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url')
}

/**
 * The row a cursor points after. A client can forge one, so everything the query
 * will bind is checked: an ISO timestamp in the years Postgres and the rows can
 * have, an id that is a short string without control characters (Postgres text
 * cannot hold NUL); anything else is a 400, never a failed query.
 */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (!Array.isArray(parsed) || parsed.length !== 2) throw new Error('bad cursor')
    const [createdAt, id] = parsed as unknown[]
    if (typeof createdAt !== 'string' || !ISO_TIMESTAMP.test(createdAt)) throw new Error('bad cursor')
    const date = new Date(createdAt)
    const year = date.getUTCFullYear()
    if (Number.isNaN(date.getTime()) || year < 1970 || year > 9999) throw new Error('bad cursor')
    if (typeof id !== 'string' || id.length === 0 || id.length > 200 || CONTROL_CHARACTER.test(id)) throw new Error('bad cursor')
    return { createdAt: date, id }
  } catch {
    throw new ProblemError('validation-failed', 'cursor is not one this API returned; pass the nextCursor of a previous page')
  }
}

/** What `toISOString` writes (years 0000 to 9999). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
}
