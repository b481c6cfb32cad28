import type { Platform } from '@bankbench/core'
import type { RequestIdVariables } from 'hono/request-id'

/** What every route's context carries: the request id (logged with every server error). */
export interface ApiEnv {
  Variables: RequestIdVariables
}

/**
 * How routes reach the platform: only inside handlers, never while routes are being
 * registered, so that the OpenAPI document can be built without a database and a
 * Lambda container opens its connections on its first request.
 */
export type GetPlatform = () => Promise<Platform>
