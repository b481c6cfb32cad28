import { createApiKey } from '@bankbench/core'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { StageSchema } from '../schemas/deployments'
import { problemResponses } from '../schemas/problem'
import { Timestamp, toIso } from '../schemas/common'

const createRouteDefinition = createRoute({
  method: 'post',
  path: '/api-keys',
  tags: ['serving'],
  summary: 'Create an API key for the classify endpoint of one stage',
  description: 'The key is in this response only: only its sha256 is stored. Like the benchmark routes, this route is open for now '
    + '(put the API behind your own network or gateway authorisation); the classify routes require a key of their stage.',
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ stage: StageSchema }).openapi('ApiKeyRequest') } } } },
  responses: {
    201: {
      description: 'The new key',
      content: {
        'application/json': {
          schema: z.object({
            id: z.string().openapi({ example: 'key_0c9b2f7a4e5d8c3b8d1e' }),
            stage: z.string(),
            key: z.string().openapi({ description: 'Send as `Authorization: Bearer <key>`. Shown once.', example: 'bb_Zm9vYmFy…' }),
            createdAt: Timestamp,
          }).openapi('ApiKey'),
        },
      },
    },
    ...problemResponses(400),
  },
})

export function apiKeyRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>().openapi(createRouteDefinition, async (c) => {
    const { db } = await getPlatform()
    const { row, key } = await createApiKey(db, c.req.valid('json').stage)
    return c.json({ id: row.id, stage: row.stage, key, createdAt: toIso(row.createdAt) }, 201)
  })
}
