/**
 * The inference Lambda: only the classify routes (the same route code as the API),
 * so that a warm container keeps its model loaded and nothing else shares its
 * memory. The platform opens once per container, on the first request, read-only:
 * no migration, no built-in dataset registration, no job queue (the API does those).
 */
import { createPlatform, loadConfig, type Platform } from '@bankbench/core'
import { ModelCache, ServingLookups } from '@bankbench/serving'
import { OpenAPIHono } from '@hono/zod-openapi'
import { handle } from 'hono/aws-lambda'
import { requestId } from 'hono/request-id'
import type { ApiEnv, GetPlatform } from '../api/env'
import { handleError, handleNotFound, validationHook } from '../api/problems'
import { classifyRoutes } from '../api/routes/classify'

export function createInferenceApp(getPlatform: GetPlatform, models = new ModelCache(), lookups = new ServingLookups()): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook })
  app.use(requestId())
  app.onError(handleError)
  app.notFound(handleNotFound)
  app.route('/v1', classifyRoutes(getPlatform, models, lookups))
  return app
}

function openPlatformOnce(): GetPlatform {
  let platform: Promise<Platform> | undefined
  return () => {
    // Read-only: on AWS it connects as the classify role (infra/inference.ts), which may neither migrate nor write.
    platform ??= createPlatform(loadConfig(), { readOnly: true }).catch((error: unknown) => {
      platform = undefined
      throw error
    })
    return platform
  }
}

export const handler = handle(createInferenceApp(openPlatformOnce()))
