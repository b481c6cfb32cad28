import type { Platform } from '@bankbench/core'
import { ModelCache, ServingLookups } from '@bankbench/serving'
import { OpenAPIHono } from '@hono/zod-openapi'
import { requestId } from 'hono/request-id'
import { declareOperatorSecurity, localOnly, requireAdminKey, type OperatorAccess } from './admin-keys'
import type { ApiEnv, GetPlatform } from './env'
import { openApiDocument } from './openapi'
import { handleError, handleNotFound, validationHook } from './problems'
import { analysisRoutes } from './routes/analysis'
import { apiKeyRoutes } from './routes/api-keys'
import { benchmarkRoutes } from './routes/benchmarks'
import { classifyRoutes } from './routes/classify'
import { comparisonRoutes } from './routes/comparison'
import { datasetRoutes } from './routes/datasets'
import { deploymentRoutes } from './routes/deployments'
import { docsRoutes } from './routes/docs'
import { eventRoutes } from './routes/events'
import { healthRoutes } from './routes/health'
import { jobRoutes } from './routes/jobs'
import { presetRoutes } from './routes/presets'
import { reportRoutes } from './routes/report'
import { runRoutes } from './routes/runs'

/**
 * The bankbench HTTP API, the same app behind @hono/node-server locally and API
 * Gateway + Lambda on AWS. `platform` may be a getter: routes touch it only while
 * handling a request, so the app (and its OpenAPI document) exists without a database.
 * `access` (admin-keys.ts): operator keys, or local mode (the default: loopback
 * host names only, no cross-origin state changes); `operatorAccess` decides it from
 * the configuration and refuses local mode to a deployed process.
 */
export function createApp(platform: Platform | GetPlatform, models = new ModelCache(), { access = { mode: 'local' } }: { access?: OperatorAccess } = {}): OpenAPIHono<ApiEnv> {
  const getPlatform: GetPlatform = typeof platform === 'function' ? platform : () => Promise.resolve(platform)
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook })
  app.use(requestId())
  app.onError(handleError)
  app.notFound(handleNotFound)
  if (access.mode === 'operator-keys') app.use('/v1/*', requireAdminKey(access.keys))
  else app.use(localOnly(access.port))
  app.route('/', healthRoutes(getPlatform))
  app.route('/v1', datasetRoutes(getPlatform))
  app.route('/v1', benchmarkRoutes(getPlatform))
  app.route('/v1', comparisonRoutes(getPlatform))
  app.route('/v1', eventRoutes(getPlatform))
  app.route('/v1', presetRoutes())
  app.route('/v1', runRoutes(getPlatform))
  app.route('/v1', analysisRoutes(getPlatform))
  app.route('/v1', reportRoutes(getPlatform))
  app.route('/v1', jobRoutes(getPlatform))
  // One per process: a deploy or rollback here is served by the next classify request.
  const lookups = new ServingLookups()
  app.route('/v1', deploymentRoutes(getPlatform, models, lookups))
  app.route('/v1', apiKeyRoutes(getPlatform, lookups))
  app.route('/v1', classifyRoutes(getPlatform, models, lookups))
  declareOperatorSecurity(app)
  app.route('/', docsRoutes(() => openApiDocument(app)))
  return app
}
