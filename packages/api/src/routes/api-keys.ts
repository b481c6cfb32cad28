import { apiKeyStatus, createApiKey, listApiKeys, nameString, ProblemError, revokeApiKey, strictObject, type ApiKeyRow } from '@bankbench/core'
import type { ServingLookups } from '@bankbench/serving'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { StageSchema } from '../schemas/deployments'
import { problemResponses } from '../schemas/problem'
import { Timestamp, toIso, toIsoOrNull } from '../schemas/common'

/** The longest a key may live: a key that must outlive it is rotated (create the new one, then revoke the old). */
const MAX_LIFETIME_DAYS = 366

/** A key as lists show it: never the key, never its digest; its first characters to recognise it. */
const ApiKeySummarySchema = z.object({
  id: z.string().openapi({ example: 'key_0c9b2f7a4e5d8c3b8d1e' }),
  stage: z.string(),
  prefix: z.string().nullable().openapi({ description: 'The key\'s first characters (`bb_` and 8 more), to recognise it; null for keys created before prefixes were kept.', example: 'bb_Zm9vYmFy' }),
  status: z.enum(['active', 'revoked', 'expired']),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable().openapi({ description: 'When the key stops working; null: when it is revoked.' }),
  revokedAt: Timestamp.nullable(),
}).openapi('ApiKeySummary')

const toSummary = (row: ApiKeyRow) => ({
  id: row.id,
  stage: row.stage,
  prefix: row.keyPrefix,
  status: apiKeyStatus(row),
  createdAt: toIso(row.createdAt),
  expiresAt: toIsoOrNull(row.expiresAt),
  revokedAt: toIsoOrNull(row.revokedAt),
})

const createRouteDefinition = createRoute({
  method: 'post',
  path: '/api-keys',
  operationId: 'createApiKey',
  tags: ['serving'],
  summary: 'Create an API key for the classify endpoint of one stage',
  description: 'The key is in this response only: only its sha256 is stored (and its first characters, to recognise it in `GET /v1/api-keys`). '
    + `It works until it is revoked (\`DELETE /v1/api-keys/{id}\`) or until \`expiresAt\`, at most ${MAX_LIFETIME_DAYS} days ahead (omit it for a key without expiry).`,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: strictObject({
            stage: StageSchema,
            expiresAt: Timestamp.optional().openapi({ description: 'When the key stops working (in the future, at most a year ahead); classify answers 401 from then on.' }),
          }).openapi('ApiKeyRequest'),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The new key',
      content: {
        'application/json': {
          schema: ApiKeySummarySchema.extend({
            key: z.string().openapi({ description: 'Send as `Authorization: Bearer <key>`. Shown once.', example: 'bb_Zm9vYmFy…' }),
          }).openapi('ApiKey'),
        },
      },
    },
    ...problemResponses(400),
  },
})

const listRouteDefinition = createRoute({
  method: 'get',
  path: '/api-keys',
  operationId: 'listApiKeys',
  tags: ['serving'],
  summary: 'List the classify API keys, newest first (never the keys themselves)',
  description: 'Revoked and expired keys are listed too, with their status.',
  request: { query: z.object({ stage: StageSchema.optional().openapi({ param: { name: 'stage', in: 'query' }, description: 'Only this stage\'s keys.' }) }) },
  responses: {
    200: { description: 'The keys', content: { 'application/json': { schema: z.object({ items: z.array(ApiKeySummarySchema) }).openapi('ApiKeyList') } } },
    ...problemResponses(400),
  },
})

const revokeRouteDefinition = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  operationId: 'revokeApiKey',
  tags: ['serving'],
  summary: 'Revoke an API key',
  description: 'From this call on, classify answers 401 for the key in this process, and within 5 seconds in every other '
    + '(each remembers a key it looked up for that long). Revoking a revoked key changes nothing.',
  request: { params: z.object({ id: nameString().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example: 'key_0c9b2f7a4e5d8c3b8d1e' }) }) },
  responses: {
    200: { description: 'The revoked key', content: { 'application/json': { schema: ApiKeySummarySchema } } },
    ...problemResponses(404),
  },
})

export function apiKeyRoutes(getPlatform: GetPlatform, lookups: ServingLookups) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(createRouteDefinition, async (c) => {
      const { stage, expiresAt } = c.req.valid('json')
      const expires = expiresAt === undefined ? undefined : new Date(expiresAt)
      if (expires && expires.getTime() <= Date.now()) {
        throw new ProblemError('validation-failed', 'expiresAt must be in the future', [{ path: 'expiresAt', message: 'must be in the future' }])
      }
      if (expires && expires.getTime() > Date.now() + MAX_LIFETIME_DAYS * 86_400_000) {
        throw new ProblemError('validation-failed', `expiresAt must be at most ${MAX_LIFETIME_DAYS} days ahead`, [{ path: 'expiresAt', message: `must be at most ${MAX_LIFETIME_DAYS} days ahead` }])
      }
      const { db } = await getPlatform()
      const { row, key } = await createApiKey(db, stage, { expiresAt: expires })
      return c.json({ ...toSummary(row), key }, 201)
    })
    .openapi(listRouteDefinition, async (c) => {
      const { db } = await getPlatform()
      return c.json({ items: (await listApiKeys(db, { stage: c.req.valid('query').stage })).map(toSummary) }, 200)
    })
    .openapi(revokeRouteDefinition, async (c) => {
      const { db } = await getPlatform()
      const row = await revokeApiKey(db, c.req.valid('param').id)
      lookups.forgetApiKeys()
      return c.json(toSummary(row), 200)
    })
}
