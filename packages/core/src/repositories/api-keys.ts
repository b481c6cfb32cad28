import { createHash, randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { apiKeys } from '../db/schema'
import { ProblemError } from '../errors'
import { newId } from '../ids'

export type ApiKeyRow = typeof apiKeys.$inferSelect

const KEY_PREFIX = 'bb_'

/** Only this digest is stored: a leaked table does not give working keys. */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex')

/** Creates a key for one stage; the key itself is returned here and never again. */
export async function createApiKey(db: Database, stage: string): Promise<{ row: ApiKeyRow; key: string }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const [row] = await db.insert(apiKeys).values({ id: newId('key'), stage, keyHash: hashApiKey(key) }).returning()
  return { row: row!, key }
}

/** The key of an `Authorization: Bearer <key>` header; a missing or malformed one is a 401 problem, decided without the database. */
export function apiKeyFromAuthorization(authorization: string | undefined): string {
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
  if (!key?.startsWith(KEY_PREFIX)) {
    throw new ProblemError('unauthorized', `send an API key as 'Authorization: Bearer ${KEY_PREFIX}…'; create one with POST /v1/api-keys`)
  }
  return key
}

/**
 * The row of a key (from apiKeyFromAuthorization): an unknown key is the same 401
 * problem as a malformed one, so that guessing learns nothing.
 */
export async function findApiKey(db: Database, key: string): Promise<ApiKeyRow> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(key)))
  if (!row) throw new ProblemError('unauthorized', 'the API key is not valid')
  return row
}
