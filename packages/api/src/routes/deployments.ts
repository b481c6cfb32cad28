import { getActiveDeployment, listDeployments, nameString, rollbackDeployment, strictObject } from '@bankbench/core'
import { deployRun, type ModelCache, type ServingLookups } from '@bankbench/serving'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { ApiEnv, GetPlatform } from '../env'
import { problemResponses } from '../schemas/problem'
import { DeploymentSchema, DeploymentSettingsSchema, DeployResponseSchema, StageParams, StageSchema, toDeployment } from '../schemas/deployments'

const DeployRequestSchema = strictObject({
  stage: StageSchema,
  runId: nameString().min(1).max(100).optional().openapi({ description: 'The run to serve. Or name a benchmark with `recommended: true`.' }),
  benchmarkId: nameString().min(1).max(100).optional(),
  recommended: z.literal(true).optional().openapi({
    description: "With benchmarkId: serve the benchmark's recommended run: the best-ranked candidate that can be served, even when none meets every criterion (the response's recommendation says which it misses).",
  }),
  settings: DeploymentSettingsSchema.optional(),
}).refine((body) => (body.runId === undefined) !== (body.benchmarkId === undefined && body.recommended === undefined)
  && (body.benchmarkId === undefined) === (body.recommended === undefined), {
  message: 'name either runId, or benchmarkId with recommended: true', path: ['runId'],
}).openapi('DeploymentRequest')

const deployRoute = createRoute({
  method: 'post',
  path: '/deployments',
  operationId: 'createDeployment',
  tags: ['serving'],
  summary: 'Deploy a run to a stage',
  description: 'Loads the run\'s model from the artifact store (an engine run\'s base model and adapter, or a baseline\'s saved classifier: TF-IDF + logistic regression, the frozen probe, …), '
    + 'checks that the served model predicts what the engine (for a baseline, a second load of it) does on validation texts, '
    + 'calibrates the out-of-scope threshold on the validation split (on the messages labelled out_of_scope when the dataset has some) and measures it on the test split '
    + '(`outOfScopeEvaluation`: false-reject rate, out-of-scope recall), and only then makes it the stage\'s active deployment (the one before becomes its previous). '
    + 'A run that is not succeeded or saved no classifier, or a failed smoke check, is a 409 and the stage keeps what it served. '
    + 'With `recommended: true` the best-ranked servable run of the recommendation is deployed even when it misses criteria (`recommendation.missedCriteria`); '
    + 'only a benchmark with no run that can be served (no succeeded run, or only llm-api runs) is a 409.',
  request: { body: { required: true, content: { 'application/json': { schema: DeployRequestSchema } } } },
  responses: {
    201: { description: 'Deployed and active', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: DeployResponseSchema } } },
    ...problemResponses(400, 404, 409),
  },
})

const listRoute = createRoute({
  method: 'get',
  path: '/deployments',
  operationId: 'listDeployments',
  tags: ['serving'],
  summary: "A stage's deployment history, newest first",
  description: 'Every deployment of the stage, active, superseded and rolled back, newest first.',
  request: { query: z.object({ stage: StageSchema.openapi({ param: { name: 'stage', in: 'query' } }) }) },
  responses: {
    200: { description: 'The deployments', content: { 'application/json': { schema: z.object({ items: z.array(DeploymentSchema) }).openapi('DeploymentList') } } },
    ...problemResponses(400),
  },
})

const ActiveDeploymentSchema = DeploymentSchema.extend({
  serving: z.object({
    loadMs: z.number().nullable().openapi({ description: 'How long this process took to load the model (its cold start); null if it has not loaded it.' }),
  }),
}).openapi('ActiveDeployment')

const getRoute = createRoute({
  method: 'get',
  path: '/deployments/{stage}',
  operationId: 'getActiveDeployment',
  tags: ['serving'],
  summary: "A stage's active deployment",
  description: 'The deployment the stage\'s classify requests are served by, and how long this process took to load its model (null if it has not). A stage with no deployment is a 404.',
  request: { params: StageParams },
  responses: {
    200: { description: 'The active deployment', content: { 'application/json': { schema: ActiveDeploymentSchema } } },
    ...problemResponses(400, 404),
  },
})

const rollbackRoute = createRoute({
  method: 'post',
  path: '/deployments/{stage}/rollback',
  operationId: 'rollbackDeployment',
  tags: ['serving'],
  summary: 'Switch a stage back to its previous deployment',
  description: 'The active deployment becomes `rolled-back` and the one before it `active`. A stage with only one deployment is a 409.',
  request: { params: StageParams },
  responses: {
    200: { description: 'The deployment now active', content: { 'application/json': { schema: DeploymentSchema } } },
    ...problemResponses(400, 404, 409),
  },
})

export function deploymentRoutes(getPlatform: GetPlatform, models: ModelCache, lookups: ServingLookups) {
  return new OpenAPIHono<ApiEnv>()
    .openapi(deployRoute, async (c) => {
      const { db, store } = await getPlatform()
      const { stage, runId, benchmarkId, settings } = c.req.valid('json')
      const target = runId !== undefined ? { runId } : { benchmarkId: benchmarkId!, recommended: true as const }
      const deployment = await deployRun({ db, store, models }, { stage, target, settings })
      lookups.forgetStage(stage)
      return c.json({ ...toDeployment(deployment), ...(deployment.recommendation && { recommendation: deployment.recommendation }) }, 201, { Location: `/v1/deployments/${stage}` })
    })
    .openapi(listRoute, async (c) => {
      const { db } = await getPlatform()
      return c.json({ items: (await listDeployments(db, c.req.valid('query').stage)).map(toDeployment) }, 200)
    })
    .openapi(getRoute, async (c) => {
      const { db } = await getPlatform()
      const deployment = await getActiveDeployment(db, c.req.valid('param').stage)
      return c.json({ ...toDeployment(deployment), serving: { loadMs: await models.loadedMs(deployment.runId) } }, 200)
    })
    .openapi(rollbackRoute, async (c) => {
      const { db } = await getPlatform()
      const { active } = await rollbackDeployment(db, c.req.valid('param').stage)
      lookups.forgetStage(active.stage)
      return c.json(toDeployment(active), 200)
    })
}
