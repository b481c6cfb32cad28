import { getRunAnalysis, LORA_ANALYSIS_ARTIFACT, submitRunAnalysis } from '@bankbench/core'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { StatusSchema } from '../schemas/benchmarks'
import { IdParams, JsonObject } from '../schemas/common'
import { JobSchema, toJob } from '../schemas/jobs'
import { problemResponses } from '../schemas/problem'

const AnalysisSchema = z.object({
  runId: z.string(),
  status: StatusSchema.openapi({ description: 'succeeded once a result is stored; else the status of the analysis job.' }),
  job: JobSchema.nullable().openapi({ description: 'The latest analyze job of the run.' }),
  artifactKey: z.string().nullable().openapi({ description: `Artifact-store key of the result (the run's \`${LORA_ANALYSIS_ARTIFACT}\`).` }),
  result: JsonObject.nullable().openapi({
    description: 'rankImportance (per adapted layer: singular values of ΔW, cumulative energy, effective rank), moduleSelection '
      + '(validation accuracy of the benchmark\'s LoRA runs by target modules, per-block ablation of this run), rankCurve (accuracy and trainable parameters against r).',
  }),
}).openapi('LoraAnalysis')

const submitRoute = createRoute({
  method: 'post',
  path: '/runs/{id}/analysis',
  operationId: 'startRunAnalysis',
  tags: ['runs'],
  summary: 'Start the LoRA analysis of a succeeded LoRA run',
  description: 'Runs as an `analyze` job in the trainer container (the model is loaded there, never in the API). '
    + 'If an analysis of the run is already queued or running, that job is returned.',
  request: { params: IdParams },
  responses: {
    202: { description: 'Accepted; Location names the analysis', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: JobSchema } } },
    ...problemResponses(404, 409),
  },
})

const getRoute = createRoute({
  method: 'get',
  path: '/runs/{id}/analysis',
  operationId: 'getRunAnalysis',
  tags: ['runs'],
  summary: 'Get the LoRA analysis of a run',
  description: '`result` once the analysis succeeded; until then the status of its latest `analyze` job (`job`), which is null if none was started.',
  request: { params: IdParams },
  responses: {
    200: { description: 'The analysis, or its progress', content: { 'application/json': { schema: AnalysisSchema } } },
    ...problemResponses(404),
  },
})

export function analysisRoutes(getPlatform: GetPlatform) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(submitRoute, async (c) => {
      const platform = await getPlatform()
      const runId = c.req.valid('param').id
      const job = await submitRunAnalysis({ db: platform.db, queue: platform.queue, jobAttempts: platform.config.jobAttempts }, runId)
      return c.json(toJob(job), 202, { Location: `/v1/runs/${runId}/analysis` })
    })
    .openapi(getRoute, async (c) => {
      const { db, store } = await getPlatform()
      const analysis = await getRunAnalysis(db, store, c.req.valid('param').id)
      return c.json({ ...analysis, job: analysis.job ? toJob(analysis.job) : null }, 200)
    })
}
