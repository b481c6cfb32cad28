/**
 * Who may run benchmarks, deploy models and create API keys. On AWS the stage's
 * `ApiKeys` secret (BANKBENCH_ADMIN_API_KEYS) lists the operators' keys, and every
 * /v1 route but classify (which takes the per-stage keys of POST /v1/api-keys)
 * requires one as `Authorization: Bearer <key>`. Locally no key is configured and
 * the API is open to the loopback it listens on.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { ProblemError } from '@bankbench/core'
import { createMiddleware } from 'hono/factory'

/** Routes that authenticate on their own, with the keys of a stage. */
const SELF_AUTHENTICATED_PREFIX = '/v1/classify'

const digest = (key: string) => createHash('sha256').update(key).digest()

export function requireAdminKey(adminKeys: readonly string[]) {
  // Compared as digests, in constant time: the time taken says nothing about how much of a key matched.
  const allowed = adminKeys.map(digest)
  return createMiddleware(async (c, next) => {
    if (allowed.length === 0 || c.req.path.startsWith(SELF_AUTHENTICATED_PREFIX)) return next()
    const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1]
    if (!presented) throw new ProblemError('unauthorized', 'this stage requires an operator key: send it as \'Authorization: Bearer <key>\' (the stage\'s ApiKeys secret)')
    const candidate = digest(presented)
    if (!allowed.some((key) => timingSafeEqual(key, candidate))) throw new ProblemError('unauthorized', 'the operator key is not valid')
    return next()
  })
}
