/**
 * The intent endpoint the bank's chatbot backend calls: the API serves it, and the
 * inference Lambda (`createInferenceApp`, entry functions/inference/handler.ts) serves it alone. Message text is
 * never logged or stored here.
 */
import { apiKeyFromAuthorization, ProblemError, strictObject, type ApiKeyRow } from '@bankbench/core'
import { classifyTexts, type ModelCache, type ServingLookups } from '@bankbench/serving'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import type { RequestIdVariables } from 'hono/request-id'
import type { GetPlatform } from '../env'
import { limitBody } from '../request-body'
import { modelVersionOf, StageSchema } from '../schemas/deployments'
import { problemResponses } from '../schemas/problem'

export const MAX_TEXT_LENGTH = 2000
export const MAX_BATCH_TEXTS = 64
const MAX_BODY_BYTES = 256 * 1024

type ClassifyEnv = { Variables: RequestIdVariables & { apiKey: ApiKeyRow } }

const Text = z.string().min(1).max(MAX_TEXT_LENGTH).openapi({ description: `A customer message (at most ${MAX_TEXT_LENGTH} characters).`, example: 'I lost my card yesterday' })

const ClassificationSchema = z.object({
  intent: z.string().openapi({ example: 'lost_or_stolen_card' }),
  confidence: z.number().openapi({ description: 'Softmax probability of the intent.' }),
  topIntents: z.array(z.object({ intent: z.string(), score: z.number() })).openapi({ description: "The deployment's topK intents, most probable first." }),
  outOfScope: z.boolean().openapi({ description: "confidence < the deployment's outOfScopeThreshold, or intent out_of_scope (a deployed generate run wrote no intent's name): route the message to a fallback." }),
}).openapi('Classification')

const Served = {
  deploymentId: z.string(),
  modelVersion: z.string().openapi({ description: 'Run id and sha256 of the adapter weights.' }),
  latencyMs: z.number().openapi({ description: 'Time spent classifying (model load included on a cold start).' }),
}

const servingHeaders = {
  'X-Model-Load-Ms': { schema: { type: 'string' as const }, description: 'How long this process took to load the model (its cold start).' },
  'X-Cold-Start': { schema: { type: 'string' as const }, description: '`true` when this request loaded the model.' },
}

const security = [{ apiKey: [] }]
const requireApiKey = (getPlatform: GetPlatform, lookups: ServingLookups) => createMiddleware<ClassifyEnv>(async (c, next) => {
  // A request without a well-formed key is refused before the database is touched.
  const key = apiKeyFromAuthorization(c.req.header('authorization'))
  const { db } = await getPlatform()
  c.set('apiKey', await lookups.apiKey(db, key))
  await next()
})

function routes(getPlatform: GetPlatform, lookups: ServingLookups) {
  const middleware = [requireApiKey(getPlatform, lookups), limitBody(MAX_BODY_BYTES)]
  const single = createRoute({
    method: 'post',
    path: '/classify',
    operationId: 'classifyText',
    tags: ['serving'],
    summary: 'Classify one customer message with the stage\'s deployed model',
    description: 'Needs an API key of the stage (`POST /v1/api-keys`): a key of another stage is a 403, a stage with no deployment a 404. The message text is never logged or stored.',
    security,
    middleware,
    request: { body: { required: true, content: { 'application/json': { schema: strictObject({ stage: StageSchema, text: Text }).openapi('ClassifyRequest') } } } },
    responses: {
      200: { description: 'The intent', headers: servingHeaders, content: { 'application/json': { schema: ClassificationSchema.extend(Served).openapi('ClassifyResponse') } } },
      ...problemResponses(400, 401, 403, 404, 413),
    },
  })
  const batch = createRoute({
    method: 'post',
    path: '/classify/batch',
    operationId: 'classifyBatch',
    tags: ['serving'],
    summary: `Classify up to ${MAX_BATCH_TEXTS} messages in one call`,
    description: 'The same as `POST /v1/classify` for several messages: one result per text, in request order, from one model call.',
    security,
    middleware,
    request: {
      body: { required: true, content: { 'application/json': { schema: strictObject({ stage: StageSchema, texts: z.array(Text).min(1).max(MAX_BATCH_TEXTS) }).openapi('ClassifyBatchRequest') } } },
    },
    responses: {
      200: {
        description: 'The intents, in request order',
        headers: servingHeaders,
        content: { 'application/json': { schema: z.object({ results: z.array(ClassificationSchema), ...Served }).openapi('ClassifyBatchResponse') } },
      },
      ...problemResponses(400, 401, 403, 404, 413),
    },
  })
  return { single, batch }
}

export function classifyRoutes(getPlatform: GetPlatform, models: ModelCache, lookups: ServingLookups) {
  const { single, batch } = routes(getPlatform, lookups)
  const classify = async (apiKey: ApiKeyRow, stage: string, texts: string[]) => {
    if (apiKey.stage !== stage) throw new ProblemError('forbidden', `this API key is for stage '${apiKey.stage}', not '${stage}'`)
    const started = performance.now()
    const { db, store } = await getPlatform()
    const deployment = await lookups.activeDeployment(db, stage)
    const { model, loadMs, coldStart } = await models.get(db, store, deployment.runId)
    const results = await classifyTexts(model.predictor, texts, deployment.settings)
    return {
      results,
      served: { deploymentId: deployment.id, modelVersion: modelVersionOf(deployment), latencyMs: performance.now() - started },
      headers: { 'X-Model-Load-Ms': loadMs.toFixed(1), 'X-Cold-Start': String(coldStart) },
    }
  }
  const app = new OpenAPIHono<ClassifyEnv>()
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http', scheme: 'bearer', description: 'A key from POST /v1/api-keys (`bb_…`), scoped to one stage.',
  })
  return app
    .openapi(single, async (c) => {
      const { stage, text } = c.req.valid('json')
      const { results, served, headers } = await classify(c.get('apiKey'), stage, [text])
      return c.json({ ...results[0]!, ...served }, 200, headers)
    })
    .openapi(batch, async (c) => {
      const { stage, texts } = c.req.valid('json')
      const { results, served, headers } = await classify(c.get('apiKey'), stage, texts)
      return c.json({ results, ...served }, 200, headers)
    })
}
