/**
 * Who may run benchmarks, deploy models and create API keys. The API runs in one of
 * two modes, and nothing in between (it fails closed):
 *
 * - `operator-keys`: the stage's `ApiKeys` secret (BANKBENCH_ADMIN_API_KEYS) lists the
 *   operators' keys, and every /v1 route but classify (which takes the per-stage keys
 *   of POST /v1/api-keys) requires one as `Authorization: Bearer <key>`. A deployed
 *   API (on Lambda, or with BANKBENCH_QUEUE=batch) refuses to start without a key.
 * - `local`: no key, for `npm start` on a laptop. The server listens on loopback only,
 *   and `localOnly` refuses what a web page could make a browser send it: a request
 *   for another host name (DNS rebinding) and a cross-origin POST/PUT/PATCH/DELETE.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { ProblemError, type BankbenchConfig } from '@bankbench/core'
import { setting, type Environment } from '@bankbench/settings'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import type { ApiEnv } from './env'
import { ProblemSchema } from './schemas/problem'

/** Routes that authenticate on their own, with the keys of a stage. */
export const SELF_AUTHENTICATED_PREFIX = '/v1/classify'

/** The routes an operator key guards: every /v1 route but classify (the OpenAPI document declares the same). */
export const requiresOperatorKey = (path: string) => path.startsWith('/v1/') && !path.startsWith(SELF_AUTHENTICATED_PREFIX)

export type OperatorAccess =
  | { mode: 'operator-keys'; keys: readonly string[] }
  /** `port`: the port the server listens on, once known (a request must name it in Host and Origin); none for an app without a socket. */
  | { mode: 'local'; port?: () => number | undefined }

/** Why this process counts as a deployed stage (empty: it does not): such a process must have operator keys. */
export function deployedBecause(config: Pick<BankbenchConfig, 'queue'>, env: Environment = process.env): string[] {
  const reasons: string[] = []
  const lambdaFunction = setting('AWS_LAMBDA_FUNCTION_NAME', env)
  if (lambdaFunction) reasons.push(`it runs on AWS Lambda (${lambdaFunction})`)
  if (config.queue === 'batch') reasons.push('BANKBENCH_QUEUE=batch')
  return reasons
}

/**
 * The access mode of an API process: operator keys when configured; otherwise local
 * mode, unless the process is deployed (`deployedBecause`, or `deployed: true` for an
 * entry point that only runs deployed), which is refused with an error saying what to set.
 */
export function operatorAccess(
  config: Pick<BankbenchConfig, 'queue' | 'adminApiKeys'>,
  env: Environment = process.env,
  { deployed = false }: { deployed?: boolean } = {},
): OperatorAccess {
  if (config.adminApiKeys.length > 0) return { mode: 'operator-keys', keys: config.adminApiKeys }
  const reasons = [...(deployed ? ['it is the deployed API entry point'] : []), ...deployedBecause(config, env)]
  if (reasons.length > 0) {
    throw new Error(`bankbench API refuses to start without operator keys: ${reasons.join(' and ')}, so it would be open to anyone who reaches it. `
      + 'Set BANKBENCH_ADMIN_API_KEYS to one or more comma-separated keys of at least 16 characters (on AWS: `npx sst secret set ApiKeys "$(openssl rand -hex 24)" --stage <stage>`, then deploy).')
  }
  return { mode: 'local' }
}

const digest = (key: string) => createHash('sha256').update(key).digest()

export function requireAdminKey(adminKeys: readonly string[]) {
  // Fails closed: an empty list would let every request through.
  if (adminKeys.length === 0) throw new Error('requireAdminKey needs at least one operator key')
  // Compared as digests, in constant time: the time taken says nothing about how much of a key matched.
  const allowed = adminKeys.map(digest)
  return createMiddleware(async (c, next) => {
    if (!requiresOperatorKey(c.req.path)) return next()
    const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1]
    if (!presented) throw new ProblemError('unauthorized', 'this stage requires an operator key: send it as \'Authorization: Bearer <key>\' (the stage\'s ApiKeys secret)')
    const candidate = digest(presented)
    // Every key is compared: stopping at the first match would say which one it was.
    const matched = allowed.map((key) => timingSafeEqual(key, candidate)).some(Boolean)
    if (!matched) throw new ProblemError('unauthorized', 'the operator key is not valid')
    return next()
  })
}

/** The names a browser uses for this machine's loopback interface. */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]'])
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** `host[:port]` is a loopback name with the server's port (any port, or none, when the port is not known). */
function isLocalAuthority(authority: string, port: number | undefined): boolean {
  // Only a bare `host[:port]`: no credentials, path or spaces (not a Host header a browser sends).
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(authority)) return false
  let url: URL
  try {
    url = new URL(`http://${authority}`)
  } catch {
    return false
  }
  return LOOPBACK_HOSTNAMES.has(url.hostname) && (port === undefined || Number(url.port || 80) === port)
}

function isLocalOrigin(origin: string, port: number | undefined): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false // includes `null`, what sandboxed frames and file:// pages send
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.pathname !== '/' || url.search) return false
  const defaultPort = url.protocol === 'https:' ? 443 : 80
  return LOOPBACK_HOSTNAMES.has(url.hostname) && (port === undefined || Number(url.port || defaultPort) === port)
}

/**
 * Local mode's guard, on every route: the Host must be localhost, 127.0.0.1 or [::1]
 * with the server's port (a page on a rebound domain names its own host), and a
 * state-changing request from a browser must come from the same local origin (a
 * foreign `Origin`, `Origin: null`, or `Sec-Fetch-Site: cross-site` without one is a
 * 403). Clients that are not browsers (curl, the CLI, the typed client) send no Origin.
 */
export function localOnly(port: () => number | undefined = () => undefined) {
  return createMiddleware(async (c, next) => {
    const listening = port()
    const url = new URL(c.req.url)
    const host = c.req.header('host')
    for (const authority of host === undefined ? [url.host] : [host, url.host]) {
      if (!isLocalAuthority(authority, listening)) {
        throw new ProblemError('forbidden', `this local API answers only requests for localhost, 127.0.0.1 or [::1]${listening === undefined ? '' : ` on port ${listening}`}, not '${authority.slice(0, 100)}' (set BANKBENCH_ADMIN_API_KEYS to serve it to other hosts)`)
      }
    }
    if (UNSAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header('origin')
      if (origin !== undefined && !isLocalOrigin(origin, listening)) {
        throw new ProblemError('forbidden', `cross-origin ${c.req.method} refused: the local API accepts state-changing requests only from its own origin, not '${origin.slice(0, 100)}'`)
      }
      if (origin === undefined && c.req.header('sec-fetch-site') === 'cross-site') {
        throw new ProblemError('forbidden', `cross-site ${c.req.method} refused: the local API accepts state-changing requests only from its own origin`)
      }
    }
    return next()
  })
}

/** The OpenAPI security scheme of the operator keys (the classify routes declare their own, `apiKey`). */
export const OPERATOR_SECURITY_SCHEME = 'operatorKey'

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } })

/**
 * Declares in the app's route definitions what `requireAdminKey` and `localOnly`
 * enforce: every route `requiresOperatorKey` names needs the operator key scheme and
 * may answer 401 and 403. Call it once every route is mounted; the OpenAPI document
 * (and openapi.yaml) is generated from these definitions.
 */
export function declareOperatorSecurity(app: OpenAPIHono<ApiEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', OPERATOR_SECURITY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'An operator key: one of the stage\'s `ApiKeys` secret (BANKBENCH_ADMIN_API_KEYS), sent as `Authorization: Bearer <key>`. '
      + 'Required by every /v1 route but classify on a deployed stage. A local server without keys (`npm start`) needs none, but answers only '
      + 'loopback host names and refuses cross-origin POST, PUT, PATCH and DELETE.',
  })
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route' || !requiresOperatorKey(definition.route.path)) continue
    const { route } = definition
    route.security = [{ [OPERATOR_SECURITY_SCHEME]: [] }]
    route.responses = {
      ...route.responses,
      401: problem('No operator key, or not a valid one (send `Authorization: Bearer <operator key>`)'),
      403: problem('A local server without operator keys refused the request: a Host other than localhost, 127.0.0.1 or [::1] with its port, or a cross-origin state change'),
    }
  }
}
