import { createPlatform, describeForLog, ensureClassifyRole, loadConfig, type Platform } from '@bankbench/core'
import { ModelCache } from '@bankbench/serving'
import { setting, type Environment } from '@bankbench/settings'
import { handle } from 'hono/aws-lambda'
import { operatorAccess, type OperatorAccess } from './admin-keys'
import { createApp } from './app'
import type { GetPlatform } from './env'

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

/**
 * The API as a Lambda handler behind API Gateway. `openPlatform` says how to wire
 * the platform (the AWS deployment passes one with the Batch queue); it runs once
 * per warm container, on the first request, and again after a failed attempt.
 * The handler always requires operator keys: without BANKBENCH_ADMIN_API_KEYS the
 * module throws while Lambda initialises it, and no request is ever answered.
 */
export function createHandler(
  openPlatform: () => Promise<Platform> = () => openApiPlatform(),
  access: OperatorAccess = operatorAccess(loadConfig(), process.env, { deployed: true }),
) {
  if (access.mode !== 'operator-keys') throw new Error('the Lambda API handler requires operator keys (BANKBENCH_ADMIN_API_KEYS)')
  let platform: Promise<Platform> | undefined
  const getPlatform: GetPlatform = () => {
    platform ??= openPlatform().catch((error: unknown) => {
      platform = undefined
      throw error
    })
    return platform
  }
  return handle(createApp(getPlatform, new ModelCache(), { access }))
}

export const handler = createHandler()
