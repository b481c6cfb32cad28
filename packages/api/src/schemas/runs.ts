import type { listRunArtifacts, listRunMetrics, RunRow } from '@bankbench/core'
import { z } from '@hono/zod-openapi'
import { StatusSchema } from './benchmarks'
import { JsonObject, Timestamp, toIso, toIsoOrNull } from './common'

export const RunSummarySchema = z.object({
  id: z.string().openapi({ example: 'run_8d1e0c9b2f7a4e5d8c3b' }),
  benchmarkId: z.string(),
  ordinal: z.number().int().openapi({ description: 'Position in the benchmark plan.' }),
  method: z.string().openapi({ example: 'lora' }),
  seed: z.number().int(),
  config: JsonObject.openapi({ description: 'The resolved configuration: method, hyperparameters, seed, protocol.' }),
  status: StatusSchema,
  jobId: z.string().nullable(),
  attempt: z.number().int(),
  summary: JsonObject.nullable().openapi({ description: 'Summary metrics (accuracy, macroF1, latency, memory, time…) once the run succeeded.' }),
  error: z.string().nullable(),
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  createdAt: Timestamp,
}).openapi('RunSummary')

const ArtifactSchema = z.object({
  name: z.string().openapi({ example: 'adapter_model.safetensors' }),
  key: z.string().openapi({ description: 'Artifact-store key.' }),
  bytes: z.number().int(),
  sha256: z.string(),
  createdAt: Timestamp,
}).openapi('RunArtifact')

const MetricPointSchema = z.object({
  step: z.number().int().nullable(),
  epoch: z.number().int().nullable(),
  value: z.number(),
}).openapi('MetricPoint')

export const RunSchema = RunSummarySchema.extend({
  environment: JsonObject.nullable().openapi({ description: 'Where it ran: host, backend, versions, dataset hash.' }),
  heartbeatAt: Timestamp.nullable(),
  artifacts: z.array(ArtifactSchema),
  series: z.record(z.string(), z.array(MetricPointSchema))
    .openapi({ description: 'Metric points by name, in recording order (loss per step, accuracy per epoch).', example: { train_loss: [{ step: 1, epoch: 0, value: 4.3 }] } }),
}).openapi('Run')

type MetricRows = Awaited<ReturnType<typeof listRunMetrics>>
type ArtifactRows = Awaited<ReturnType<typeof listRunArtifacts>>

export function toRunSummary(row: RunRow): z.infer<typeof RunSummarySchema> {
  return {
    id: row.id,
    benchmarkId: row.benchmarkId,
    ordinal: row.ordinal,
    method: row.method,
    seed: row.seed,
    config: row.config,
    status: row.status,
    jobId: row.jobId,
    attempt: row.attempt,
    summary: row.summary,
    error: row.error,
    startedAt: toIsoOrNull(row.startedAt),
    finishedAt: toIsoOrNull(row.finishedAt),
    createdAt: toIso(row.createdAt),
  }
}

export function toRun(row: RunRow, metrics: MetricRows, artifacts: ArtifactRows): z.infer<typeof RunSchema> {
  const series: z.infer<typeof RunSchema>['series'] = {}
  for (const { name, step, epoch, value } of metrics) (series[name] ??= []).push({ step, epoch, value })
  return {
    ...toRunSummary(row),
    environment: row.environment,
    heartbeatAt: toIsoOrNull(row.heartbeatAt),
    artifacts: artifacts.map(({ name, key, bytes, sha256, createdAt }) => ({ name, key, bytes, sha256, createdAt: toIso(createdAt) })),
    series,
  }
}
