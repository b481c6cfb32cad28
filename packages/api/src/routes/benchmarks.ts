import {
  benchmarkProgress, benchmarkSpecSchema, cancelBenchmark, getBenchmark, listBenchmarks, METHOD_NAMES, nameString, submitBenchmark, type Platform,
} from '@bankbench/core'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { acceptOnly, limitBody } from '../request-body'
import { BenchmarkDetailSchema, BenchmarkSchema, toBenchmark, toBenchmarkDetail } from '../schemas/benchmarks'
import { IdParams, PageQuery, pageOf } from '../schemas/common'
import { problemResponses } from '../schemas/problem'

const MAX_SPEC_BYTES = 256 * 1024

// Named through zod's own metadata, not `.openapi()`: core creates this schema before
// @hono/zod-openapi adds `.openapi` to zod, so the method may be missing on it.
const specSchema = benchmarkSpecSchema.meta({ id: 'BenchmarkSpec', example: { arms: [{ method: 'majority' }, { method: 'tfidf-logreg', grid: { C: [1, 10] } }] } })

const submitRoute = createRoute({
  method: 'post',
  path: '/benchmarks',
  operationId: 'createBenchmark',
  tags: ['benchmarks'],
  summary: 'Submit a benchmark',
  description: `Validates the benchmark, stores it with its planned runs and starts their jobs. Methods: ${METHOD_NAMES.join(', ')}. With an Idempotency-Key, repeating the request returns the benchmark the first one created; the same key with a different body is a 409.`,
  middleware: [acceptOnly('application/json'), limitBody(MAX_SPEC_BYTES)] as const,
  request: {
    headers: z.object({
      'idempotency-key': nameString().min(1).max(200).optional()
        .openapi({ description: 'Makes a retried request safe: the same key returns the same benchmark.' }),
    }),
    body: { required: true, content: { 'application/json': { schema: specSchema } } },
  },
  responses: {
    202: { description: 'Accepted; Location names the benchmark', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: BenchmarkDetailSchema } } },
    ...problemResponses(400, 409, 413, 415),
  },
})

const listRoute = createRoute({
  method: 'get',
  path: '/benchmarks',
  operationId: 'listBenchmarks',
  tags: ['benchmarks'],
  summary: 'List benchmarks, newest first',
  description: 'Keyset-paginated: pass a page\'s `nextCursor` as `cursor` for the next. Each item is the benchmark without its progress; `GET /v1/benchmarks/{id}` adds it.',
  request: { query: PageQuery },
  responses: {
    200: { description: 'A page of benchmarks', content: { 'application/json': { schema: pageOf(BenchmarkSchema, 'BenchmarkPage') } } },
    ...problemResponses(400),
  },
})

const getRoute = createRoute({
  method: 'get',
  path: '/benchmarks/{id}',
  operationId: 'getBenchmark',
  tags: ['benchmarks'],
  summary: 'Get a benchmark with the progress of its runs',
  description: 'The benchmark, its validated spec and its progress: runs per status and, once a run has succeeded, an estimate of the time left.',
  request: { params: IdParams },
  responses: {
    200: { description: 'The benchmark', content: { 'application/json': { schema: BenchmarkDetailSchema } } },
    ...problemResponses(404),
  },
})

const cancelRoute = createRoute({
  method: 'post',
  path: '/benchmarks/{id}/cancel',
  operationId: 'cancelBenchmark',
  tags: ['benchmarks'],
  summary: 'Cancel a queued or running benchmark',
  description: 'Stops its active jobs; runs that already finished keep their results.',
  request: { params: IdParams },
  responses: {
    202: { description: 'Cancelled', content: { 'application/json': { schema: BenchmarkDetailSchema } } },
    ...problemResponses(404, 409),
  },
})

export function benchmarkRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(submitRoute, async (c) => {
      const platform = await getPlatform()
      c.req.valid('json')
      // The request as sent, not the validated copy: validation fills the protocol's defaults, which would
      // hide from submitBenchmark which fields the request left to its preset (the slots preset's 20 epochs).
      const { benchmark } = await submitBenchmark(servicesOf(platform), await c.req.json(), c.req.valid('header')['idempotency-key'])
      const detail = toBenchmarkDetail(benchmark, await benchmarkProgress(platform.db, benchmark.id, platform.config.concurrency))
      return c.json(detail, 202, { Location: `/v1/benchmarks/${benchmark.id}` })
    })
    .openapi(listRoute, async (c) => {
      const { db } = await getPlatform()
      const page = await listBenchmarks(db, c.req.valid('query'))
      return c.json({ items: page.items.map(toBenchmark), nextCursor: page.nextCursor }, 200)
    })
    .openapi(getRoute, async (c) => {
      const { db, config } = await getPlatform()
      const benchmark = await getBenchmark(db, c.req.valid('param').id)
      return c.json(toBenchmarkDetail(benchmark, await benchmarkProgress(db, benchmark.id, config.concurrency)), 200)
    })
    .openapi(cancelRoute, async (c) => {
      const platform = await getPlatform()
      const benchmark = await cancelBenchmark(servicesOf(platform), c.req.valid('param').id)
      return c.json(toBenchmarkDetail(benchmark, await benchmarkProgress(platform.db, benchmark.id, platform.config.concurrency)), 202)
    })
}

function servicesOf(platform: Platform) {
  return { db: platform.db, queue: platform.queue, jobAttempts: platform.config.jobAttempts }
}
