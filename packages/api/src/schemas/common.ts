import { nameString } from '@bankbench/core'
import { z } from '@hono/zod-openapi'

/** Timestamps leave the API as ISO 8601 strings. */
export const Timestamp = z.iso.datetime({ offset: true }).openapi({ example: '2026-11-25T10:15:00.000Z' })

export const toIso = (date: Date) => date.toISOString()
export const toIsoOrNull = (date: Date | null) => date?.toISOString() ?? null

export const IdParams = z.object({
  id: nameString().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example: 'bm_3f9c2a71d04e4b6a9c1e' }),
})

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20)
    .openapi({ param: { name: 'limit', in: 'query' }, description: 'Items per page (1 to 100).', example: 20 }),
  cursor: nameString().min(1).max(500).optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'The `nextCursor` of the previous page.' }),
})

/** A page of a keyset-paginated list, newest first. */
export function pageOf<Item extends z.ZodType>(item: Item, name: string) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  }).openapi(name)
}

/** A JSON object whose fields this API passes through (configurations, summaries). */
export const JsonObject = z.record(z.string(), z.unknown())
