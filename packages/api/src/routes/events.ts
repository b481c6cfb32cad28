import { benchmarkProgress, getBenchmark, isTerminal, listBenchmarkMetricsSince, listRunsOfBenchmark, type Platform } from '@bankbench/core'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import type { ApiEnv, GetPlatform } from '../env'
import { IdParams } from '../schemas/common'
import { problemResponses } from '../schemas/problem'

/** How often the stream looks for changes: jobs write to the database, which has no change feed both worlds share. */
const POLL_MS = 1000
/** Metric points per `metrics` event. */
const METRICS_PER_EVENT = 1000

const EventsQuery = z.object({
  maxSeconds: z.coerce.number().int().min(1).max(900).default(300)
    .openapi({ param: { name: 'maxSeconds', in: 'query' }, description: 'The stream ends with a `timeout` event after this long; reconnect (with Last-Event-ID) to go on.' }),
})

const eventsRoute = createRoute({
  method: 'get',
  path: '/benchmarks/{id}/events',
  operationId: 'streamBenchmarkEvents',
  tags: ['benchmarks'],
  summary: "Stream a benchmark's run status changes, new metric points and progress (Server-Sent Events)",
  description: 'Events: `run` (a run\'s status or attempt changed; every run once at the start), `metrics` (new metric points, `id` is the last '
    + 'point\'s: send it back as Last-Event-ID to resume), `progress` (run counts per status and the ETA), then `end` once the benchmark is '
    + 'finished, or `timeout` after maxSeconds. The server polls the database every second. Behind API Gateway + Lambda the response is '
    + 'buffered, not streamed: keep maxSeconds short there.',
  request: {
    params: IdParams,
    query: EventsQuery,
    headers: z.object({ 'last-event-id': z.string().regex(/^\d+$/).optional().openapi({ description: 'Resume metric points after this id.' }) }),
  },
  responses: {
    200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string', example: 'event: run\ndata: {"runId":"run_…","status":"running"}\n\n' } } } },
    ...problemResponses(400, 404),
  },
})

export function eventRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(eventsRoute, async (c) => {
      const platform = await getPlatform()
      // An unknown benchmark is a 404 problem, not an empty stream.
      const benchmark = await getBenchmark(platform.db, c.req.valid('param').id)
      const { maxSeconds } = c.req.valid('query')
      const afterMetricId = Number(c.req.valid('header')['last-event-id'] ?? 0)
      return streamSSE(c, (stream) => streamBenchmarkEvents(stream, platform, benchmark.id, { afterMetricId, deadline: Date.now() + maxSeconds * 1000 }))
    })
}

async function streamBenchmarkEvents(stream: SSEStreamingApi, platform: Platform, benchmarkId: string, options: { afterMetricId: number; deadline: number }): Promise<void> {
  const { db } = platform
  const send = (event: string, data: unknown, id?: number) => stream.writeSSE({ event, data: JSON.stringify(data), ...(id === undefined ? {} : { id: String(id) }) })
  const runStates = new Map<string, string>()
  let lastMetricId = options.afterMetricId
  let lastProgress = ''
  while (!stream.aborted) {
    // The benchmark's status is read first: if it is final, every run and point read after it is too, so nothing is missed before `end`.
    const { status } = await getBenchmark(db, benchmarkId)
    for (const run of await listRunsOfBenchmark(db, benchmarkId)) {
      const state = `${run.status}/${run.attempt}`
      if (runStates.get(run.id) === state) continue
      runStates.set(run.id, state)
      await send('run', { runId: run.id, ordinal: run.ordinal, method: run.method, status: run.status, attempt: run.attempt, error: run.error })
    }
    for (let points = await listBenchmarkMetricsSince(db, benchmarkId, lastMetricId, METRICS_PER_EVENT); points.length > 0;
      points = await listBenchmarkMetricsSince(db, benchmarkId, lastMetricId, METRICS_PER_EVENT)) {
      lastMetricId = points.at(-1)!.id
      await send('metrics', { points }, lastMetricId)
    }
    const progress = await benchmarkProgress(db, benchmarkId, platform.config.concurrency)
    const progressKey = JSON.stringify(progress.counts)
    if (progressKey !== lastProgress) {
      lastProgress = progressKey
      await send('progress', progress)
    }
    if (isTerminal(status)) {
      await send('end', { benchmarkId, status })
      return
    }
    if (Date.now() >= options.deadline) {
      await send('timeout', { benchmarkId, status, lastEventId: lastMetricId })
      return
    }
    await stream.sleep(POLL_MS)
  }
}
