import { JOB_KINDS, type JobRow } from '@bankbench/core'
import { z } from '@hono/zod-openapi'
import { StatusSchema } from './benchmarks'
import { Timestamp, toIso, toIsoOrNull } from './common'

export const JobSchema = z.object({
  id: z.string().openapi({ example: 'job_0a4b6c8d1e3f5a7b9c2d' }),
  kind: z.enum(JOB_KINDS),
  status: StatusSchema,
  queue: z.enum(['local', 'batch']),
  externalId: z.string().nullable().openapi({ description: 'The AWS Batch job id, or the local runner handle.' }),
  benchmarkId: z.string().nullable(),
  runIds: z.array(z.string()).openapi({ description: 'One run per array child, in array-index order.' }),
  arraySize: z.number().int(),
  timeoutSeconds: z.number().int(),
  attempts: z.number().int(),
  statusReason: z.string().nullable(),
  heartbeatAt: Timestamp.nullable(),
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  createdAt: Timestamp,
}).openapi('Job')

export function toJob(row: JobRow): z.infer<typeof JobSchema> {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    queue: row.queue,
    externalId: row.externalId,
    benchmarkId: row.benchmarkId,
    runIds: row.runIds,
    arraySize: row.arraySize,
    timeoutSeconds: row.timeoutSeconds,
    attempts: row.attempts,
    statusReason: row.statusReason,
    heartbeatAt: toIsoOrNull(row.heartbeatAt),
    startedAt: toIsoOrNull(row.startedAt),
    finishedAt: toIsoOrNull(row.finishedAt),
    createdAt: toIso(row.createdAt),
  }
}
