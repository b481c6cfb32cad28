import { createHash, randomBytes } from 'node:crypto'
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { apiKeys } from '../db/schema'
import { ProblemError } from '../errors'
import { newId } from '../ids'

export type ApiKeyRow = typeof apiKeys.$inferSelect

const KEY_PREFIX = 'bb_'
/** How much of a key is kept in clear to recognise it in a list: `bb_` and 8 of its 43 random characters. */
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8

/** Only this digest is stored: a leaked table does not give working keys. */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex')

/** Creates a key for one stage, valid until `expiresAt` if given; the key itself is returned here and never again. */
export async function createApiKey(db: Database, stage: string, options: { expiresAt?: Date } = {}): Promise<{ row: ApiKeyRow; key: string }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const [row] = await db.insert(apiKeys).values({
    id: newId('key'), stage, keyHash: hashApiKey(key), keyPrefix: key.slice(0, SHOWN_PREFIX_LENGTH), expiresAt: options.expiresAt ?? null,
  }).returning()
  return { row: row!, key }
}

/** A stage's keys (every stage's without one), newest first, revoked and expired ones included. */
export async function listApiKeys(db: Database, options: { stage?: string } = {}): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys)
    .where(options.stage === undefined ? undefined : eq(apiKeys.stage, options.stage))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
}

/** Revokes a key for good (a 404 problem when there is no such key); revoking it again changes nothing. */
export async function revokeApiKey(db: Database, id: string): Promise<ApiKeyRow> {
  const [revoked] = await db.update(apiKeys).set({ revokedAt: sql`now()` }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning()
  if (revoked) return revoked
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id))
  if (!row) throw new ProblemError('not-found', `there is no API key ${id}`)
  return row
}

/** The key of an `Authorization: Bearer <key>` header; a missing or malformed one is a 401 problem, decided without the database. */
export function apiKeyFromAuthorization(authorization: string | undefined): string {
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
  if (!key?.startsWith(KEY_PREFIX)) {
    throw new ProblemError('unauthorized', `send an API key as 'Authorization: Bearer ${KEY_PREFIX}…'; create one with POST /v1/api-keys`)
  }
  return key
}

/** `active`, or why a key no longer works. */
export function apiKeyStatus(row: Pick<ApiKeyRow, 'expiresAt' | 'revokedAt'>, now = new Date()): 'active' | 'revoked' | 'expired' {
  if (row.revokedAt) return 'revoked'
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return 'expired'
  return 'active'
}

/** A found key that no longer works is a 401 problem: checked on every use, as a remembered row can expire meanwhile. */
export function assertApiKeyActive(row: ApiKeyRow, now = new Date()): ApiKeyRow {
  const status = apiKeyStatus(row, now)
  if (status !== 'active') throw new ProblemError('unauthorized', `the API key has ${status === 'revoked' ? 'been revoked' : 'expired'}; create a new one with POST /v1/api-keys`)
  return row
}

/**
 * The row of a key (from apiKeyFromAuthorization), whether or not it still works: an
 * unknown key is the same 401 problem as a malformed one, so that guessing learns nothing.
 */
export async function lookupApiKey(db: Database, key: string): Promise<ApiKeyRow> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(key)))
  if (!row) throw new ProblemError('unauthorized', 'the API key is not valid')
  return row
}

/** The row of a key that works now; unknown, revoked and expired keys are 401 problems. */
export async function findApiKey(db: Database, key: string, now = new Date()): Promise<ApiKeyRow> {
  return assertApiKeyActive(await lookupApiKey(db, key), now)
}
