import { createPlatform, loadConfig, type Platform } from '@bankbench/core'
import { ModelCache } from '@bankbench/serving'
import { handle } from 'hono/aws-lambda'
import { createApp } from './app'
import type { GetPlatform } from './env'

/**
 * The API as a Lambda handler behind API Gateway. `openPlatform` says how to wire
 * the platform (the AWS deployment passes one with the Batch queue); it runs once
 * per warm container, on the first request, and again after a failed attempt.
 */
export function createHandler(openPlatform: () => Promise<Platform> = () => createPlatform(loadConfig()), adminApiKeys = loadConfig().adminApiKeys) {
  let platform: Promise<Platform> | undefined
  const getPlatform: GetPlatform = () => {
    platform ??= openPlatform().catch((error: unknown) => {
      platform = undefined
      throw error
    })
    return platform
  }
  return handle(createApp(getPlatform, new ModelCache(), { adminApiKeys }))
}

export const handler = createHandler()
