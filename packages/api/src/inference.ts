/**
 * The inference app: only the classify routes, the same route code as the API's, for
 * the inference Lambda (`createInferenceHandler` in lambda.ts).
 */
import { ModelCache, ServingLookups } from '@bankbench/serving'
import { OpenAPIHono } from '@hono/zod-openapi'
import { requestId } from 'hono/request-id'
import type { ApiEnv, GetPlatform } from './env'
import { handleError, handleNotFound, validationHook } from './problems'
import { classifyRoutes } from './routes/classify'

export function createInferenceApp(getPlatform: GetPlatform, models = new ModelCache(), lookups = new ServingLookups()): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook })
  app.use(requestId())
  app.onError(handleError)
  app.notFound(handleNotFound)
  app.route('/v1', classifyRoutes(getPlatform, models, lookups))
  return app
}
