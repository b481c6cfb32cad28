import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import type { ApiEnv, GetPlatform } from '../env'
import { ProblemSchema, problemResponses } from '../schemas/problem'
import { API_VERSION } from '../version'

const HealthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  version: z.string().openapi({ example: API_VERSION }),
  database: z.object({ reachable: z.boolean() }),
  queue: z.object({ name: z.enum(['local', 'batch']) }),
}).openapi('Health')

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  tags: ['health'],
  summary: 'Is the API able to serve: version, database, job queue',
  description: 'Needs no key. 200 while the database answers, 503 with the same body (`status: unavailable`) while it does not; `queue` names the job queue this server submits to.',
  security: [],
  responses: {
    ...problemResponses(),
    403: {
      description: 'A local server without operator keys refused a Host other than localhost, 127.0.0.1 or [::1] with its port',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
    200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'The database is not reachable', content: { 'application/json': { schema: HealthSchema } } },
  },
})

export function healthRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(healthRoute, async (c) => {
      const platform = await getPlatform()
      const reachable = await platform.db.execute(sql`select 1`).then(() => true, () => false)
      const health = { version: API_VERSION, database: { reachable }, queue: { name: platform.queue.name } }
      return reachable ? c.json({ status: 'ok' as const, ...health }, 200) : c.json({ status: 'unavailable' as const, ...health }, 503)
    })
}
