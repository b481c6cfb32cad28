/**
 * The API's AWS Lambda wiring: `createHandler` for the API function
 * (functions/api/lambda.ts) and `createInferenceHandler` for the inference function
 * (functions/inference/handler.ts). Those entry files only call them, so that what
 * the Lambda bundles run is tested here.
 */
import { createPlatform, describeForLog, ensureClassifyRole, loadConfig, type Platform } from '@bankbench/core'
import { ModelCache } from '@bankbench/serving'
import { setting, type Environment } from '@bankbench/settings'
import { handle } from 'hono/aws-lambda'
import { operatorAccess, type OperatorAccess } from './admin-keys'
import { createApp } from './app'
import type { GetPlatform } from './env'
import { createInferenceApp } from './inference'

/**
 * The API's platform on AWS. With BANKBENCH_PROVISION_CLASSIFY_ROLE=1 (infra/api.ts)
 * it also creates or updates the read-only role the inference function connects as
 * (`ensureClassifyRole`: the API connects as the database owner, which may create
 * roles). A failure there is logged and leaves the API serving: only classify, on the
 * inference function, depends on it.
 */
export async function openApiPlatform(env: Environment = process.env): Promise<Platform> {
  const config = loadConfig(env)
  const platform = await createPlatform(config)
  if (setting('BANKBENCH_PROVISION_CLASSIFY_ROLE', env) && config.databaseUrl) {
    try {
      await ensureClassifyRole(platform.db, decodeURIComponent(new URL(config.databaseUrl).password))
    } catch (error) {
      console.error(`[api] could not create the read-only classify role; the inference function cannot connect until it exists: ${describeForLog(error)}`)
    }
  }
  return platform
}

/** Opens the platform on the first call, and again after a failed attempt; later calls share it. */
function openOnce(open: () => Promise<Platform>): GetPlatform {
  let platform: Promise<Platform> | undefined
  return () => {
    platform ??= open().catch((error: unknown) => {
      platform = undefined
      throw error
    })
    return platform
  }
}

/**
 * The API as a Lambda handler behind API Gateway. `openPlatform` says how to wire
 * the platform (the AWS deployment passes one with the Batch queue); it runs once
 * per warm container, on the first request, and again after a failed attempt.
 * The handler always requires operator keys: without BANKBENCH_ADMIN_API_KEYS it
 * throws (in the entry file: while Lambda initialises it), and no request is ever answered.
 */
export function createHandler(
  openPlatform: () => Promise<Platform> = () => openApiPlatform(),
  access: OperatorAccess = operatorAccess(loadConfig(), process.env, { deployed: true }),
) {
  if (access.mode !== 'operator-keys') throw new Error('the Lambda API handler requires operator keys (BANKBENCH_ADMIN_API_KEYS)')
  return handle(createApp(openOnce(openPlatform), new ModelCache(), { access }))
}

/**
 * The inference Lambda: only the classify routes (`createInferenceApp`), so that a
 * warm container keeps its model loaded and nothing else shares its memory. The
 * platform opens once per container, on the first request, read-only: no migration,
 * no built-in dataset registration, no job queue (the API does those). On AWS it
 * connects as the classify role (infra/inference.ts), which may neither migrate nor write.
 */
export function createInferenceHandler(openPlatform: () => Promise<Platform> = () => createPlatform(loadConfig(), { readOnly: true })) {
  return handle(createInferenceApp(openOnce(openPlatform)))
}
