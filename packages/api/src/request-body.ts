import { ProblemError } from '@bankbench/core'
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'

/**
 * Refuses a body whose Content-Type is not one of `mediaTypes` (415), before
 * anything reads it. Runs ahead of the route's validators, so the problem can say
 * what to send instead.
 */
export function acceptOnly(...mediaTypes: string[]): MiddlewareHandler {
  return async (c, next) => {
    const essence = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (!mediaTypes.includes(essence)) {
      throw new ProblemError('unsupported-media-type', `send the body as ${mediaTypes.join(' or ')} (got ${essence ? `'${essence}'` : 'no Content-Type'})`)
    }
    await next()
  }
}

/**
 * Refuses a body larger than `maxBytes` (413): at once from Content-Length when the
 * client sends one, otherwise as soon as the streamed body passes the limit, so an
 * oversized upload is never read whole.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ProblemError('payload-too-large', `the request body is larger than the limit of ${formatBytes(maxBytes)}`)
    },
  })
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 2)} MiB (${bytes} bytes)` : `${bytes} bytes`
}
