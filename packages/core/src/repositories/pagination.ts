import { ProblemError } from '../errors'

/**
 * Keyset pagination over (created_at, id), newest first. The cursor is opaque to
 * clients: base64url of the last row's timestamp and id.
 */
export interface Page<T> { items: T[]; nextCursor: string | null }

export interface PageRequest { limit: number; cursor?: string | undefined }

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url')
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string]
    const date = new Date(createdAt)
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor')
    return { createdAt: date, id }
  } catch {
    throw new ProblemError('validation-failed', 'cursor is not one this API returned; pass the nextCursor of a previous page')
  }
}

export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
}
