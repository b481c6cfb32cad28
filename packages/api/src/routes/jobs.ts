import { getJob } from '@bankbench/core'
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { IdParams } from '../schemas/common'
import { JobSchema, toJob } from '../schemas/jobs'
import { problemResponses } from '../schemas/problem'

const getRoute = createRoute({
  method: 'get',
  path: '/jobs/{id}',
  operationId: 'getJob',
  tags: ['jobs'],
  summary: 'Get a job: kind, queue, status, its runs',
  description: 'A job executes its runs as one array job (one run per child, in `runIds` order); `externalId` is the AWS Batch job id or the local runner\'s handle.',
  request: { params: IdParams },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
    ...problemResponses(404),
  },
})

export function jobRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(getRoute, async (c) => {
      const { db } = await getPlatform()
      return c.json(toJob(await getJob(db, c.req.valid('param').id)), 200)
    })
}
