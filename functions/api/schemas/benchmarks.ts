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
  return { ...toBenchmark(row), progress }
}
