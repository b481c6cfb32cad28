import { getBenchmark, getRun, listRunArtifacts, listRunMetrics, listRunsOfBenchmark, retryRun } from '@bankbench/core'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { IdParams } from '../schemas/common'
import { problemResponses } from '../schemas/problem'
import { RunSchema, RunSummarySchema, toRun, toRunSummary } from '../schemas/runs'

const listOfBenchmarkRoute = createRoute({
  method: 'get',
  path: '/benchmarks/{id}/runs',
  operationId: 'listBenchmarkRuns',
  tags: ['runs'],
  summary: "List a benchmark's runs with their summary metrics, in plan order",
  description: 'Every planned run of the benchmark with its configuration, status and summary metrics; `GET /v1/runs/{id}` adds the metric series and artifacts.',
  request: { params: IdParams },
  responses: {
    200: { description: 'The runs', content: { 'application/json': { schema: z.object({ items: z.array(RunSummarySchema) }).openapi('RunList') } } },
    ...problemResponses(404),
  },
})

const getRoute = createRoute({
  method: 'get',
  path: '/runs/{id}',
  operationId: 'getRun',
  tags: ['runs'],
  summary: 'Get a run: configuration, status, metrics, series, artifacts',
  description: 'The run\'s resolved configuration, status, summary metrics, where it ran, its metric series by name and its artifacts in the artifact store.',
  request: { params: IdParams },
  responses: {
    200: { description: 'The run', content: { 'application/json': { schema: RunSchema } } },
    ...problemResponses(404),
  },
})

const retryRoute = createRoute({
  method: 'post',
  path: '/runs/{id}/retry',
  operationId: 'retryRun',
  tags: ['runs'],
  summary: 'Run a failed or cancelled run again',
  description: 'The run goes back to queued on its own, in a new job of its kind (array size 1) submitted to the queue; its next start is a new attempt. '
    + 'Its benchmark is active again until the run ends. A run that is not failed or cancelled is a 409.',
  request: { params: IdParams },
  responses: {
    202: { description: 'Queued again; Location names the run', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: RunSummarySchema } } },
    ...problemResponses(404, 409),
  },
})

export function runRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(listOfBenchmarkRoute, async (c) => {
      const { db } = await getPlatform()
      const benchmark = await getBenchmark(db, c.req.valid('param').id)
      const runs = await listRunsOfBenchmark(db, benchmark.id)
      return c.json({ items: runs.map(toRunSummary) }, 200)
    })
    .openapi(getRoute, async (c) => {
      const { db } = await getPlatform()
      const run = await getRun(db, c.req.valid('param').id)
      const [metrics, artifacts] = await Promise.all([listRunMetrics(db, run.id), listRunArtifacts(db, run.id)])
      return c.json(toRun(run, metrics, artifacts), 200)
    })
    .openapi(retryRoute, async (c) => {
      const platform = await getPlatform()
      const run = await retryRun({ db: platform.db, queue: platform.queue, jobAttempts: platform.config.jobAttempts }, c.req.valid('param').id)
      return c.json(toRunSummary(run), 202, { Location: `/v1/runs/${run.id}` })
    })
}
