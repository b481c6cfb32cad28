import { JOB_STATUSES, type BenchmarkRow, type benchmarkProgress } from '@bankbench/core'
import { z } from '@hono/zod-openapi'
import { JsonObject, Timestamp, toIso } from './common'

export const StatusSchema = z.enum(JOB_STATUSES).openapi('Status')

export const BenchmarkSchema = z.object({
  id: z.string().openapi({ example: 'bm_3f9c2a71d04e4b6a9c1e' }),
  name: z.string(),
  datasetId: z.string(),
  status: StatusSchema,
  spec: JsonObject.openapi({ description: 'The validated request, with defaults applied (see BenchmarkSpec).' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).openapi('Benchmark')

const ProgressSchema = z.object({
  total: z.number().int().openapi({ description: 'Planned runs.' }),
  finished: z.number().int().openapi({ description: 'Runs that succeeded, failed or were cancelled.' }),
  counts: z.record(z.string(), z.number().int()).openapi({ description: 'Runs per status.', example: { queued: 2, succeeded: 1 } }),
  eta: z.object({
    remainingRuns: z.number().int().openapi({ description: 'Runs queued or running (a running run counts whole).' }),
    meanRunSeconds: z.number().openapi({ description: 'Mean wall-clock time of the runs that succeeded so far.' }),
    concurrency: z.number().int().openapi({ description: 'Runs that execute at once (BANKBENCH_CONCURRENCY).' }),
    secondsRemaining: z.number().openapi({ description: 'meanRunSeconds × remainingRuns ÷ concurrency.' }),
    estimatedFinishAt: Timestamp,
  }).nullable().openapi({ description: 'null until a run has succeeded, and once none remain.' }),
}).openapi('BenchmarkProgress')

export const BenchmarkDetailSchema = BenchmarkSchema.extend({ progress: ProgressSchema }).openapi('BenchmarkDetail')

type Progress = Awaited<ReturnType<typeof benchmarkProgress>>

export function toBenchmark(row: BenchmarkRow): z.infer<typeof BenchmarkSchema> {
  return {
    id: row.id,
    name: row.name,
    datasetId: row.datasetId,
    status: row.status,
    spec: row.spec,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  }
}

export function toBenchmarkDetail(row: BenchmarkRow, progress: Progress): z.infer<typeof BenchmarkDetailSchema> {
  const eta = progress.eta && { ...progress.eta, estimatedFinishAt: toIso(progress.eta.estimatedFinishAt) }
  return { ...toBenchmark(row), progress: { ...progress, eta } }
}
