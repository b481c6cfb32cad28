import { createPlatform, loadConfig, type Platform } from '@bankbench/core'
import { ModelCache } from '@bankbench/serving'
import { handle } from 'hono/aws-lambda'
import { operatorAccess, type OperatorAccess } from './admin-keys'
import { createApp } from './app'
import type { GetPlatform } from './env'

/**
 * The API as a Lambda handler behind API Gateway. `openPlatform` says how to wire
 * the platform (the AWS deployment passes one with the Batch queue); it runs once
 * per warm container, on the first request, and again after a failed attempt.
 * The handler always requires operator keys: without BANKBENCH_ADMIN_API_KEYS the
 * module throws while Lambda initialises it, and no request is ever answered.
 */
export function createHandler(
  openPlatform: () => Promise<Platform> = () => createPlatform(loadConfig()),
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
