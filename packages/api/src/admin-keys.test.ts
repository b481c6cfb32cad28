import { loadConfig } from '@bankbench/core'
import { describe, expect, it, vi } from 'vitest'
import { operatorAccess, requireAdminKey } from './admin-keys'
import { createApp } from './app'
import { createHandler } from './lambda'
import { readProblem } from './testing'

const OPERATOR_KEY = 'operator-key-0123456789abcdef'
// No platform: a request that passes the checks fails later with a 500, one that does not is refused first.
const noPlatform = () => Promise.reject(new Error('no platform in this test'))

describe('operator keys', () => {
  const app = createApp(noPlatform, undefined, { access: { mode: 'operator-keys', keys: [OPERATOR_KEY] } })
  const request = (path: string, authorization?: string) => app.request(path, { headers: authorization ? { authorization } : {} })

  it('refuse management routes without a valid operator key, with a 401 problem', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key-0123456789abcdef', OPERATOR_KEY, 'Bearer ']) {
      const response = await request('/v1/benchmarks', authorization)
      expect([authorization, response.status, (await readProblem(response)).contentType]).toEqual([authorization, 401, 'application/problem+json'])
    }
  })

  it('let a valid key through, and leave health and the stage-key routes (classify) to their own checks', async () => {
    expect((await request('/v1/presets', `Bearer ${OPERATOR_KEY}`)).status).toBe(200)
    expect((await request('/v1/presets')).status).toBe(401)
    expect((await request('/openapi.json')).status).toBe(200)
    const classify = await app.request('/v1/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stage: 'dev', text: 'hi' }) })
    expect((await readProblem(classify)).body.detail).toContain('POST /v1/api-keys')
  })

  it('refuse a rollback without a key, whatever its origin', async () => {
    const rollback = await app.request('/v1/deployments/dev/rollback', { method: 'POST', headers: { origin: 'https://evil.example' } })
    expect(rollback.status).toBe(401)
  })

  it('never run with an empty list', () => {
    expect(() => requireAdminKey([])).toThrow(/at least one operator key/)
  })

  it('come from BANKBENCH_ADMIN_API_KEYS, comma-separated, and must not be short or blank', () => {
    expect(loadConfig({ BANKBENCH_ADMIN_API_KEYS: `${OPERATOR_KEY}, second-key-0123456789abcdef` }).adminApiKeys).toEqual([OPERATOR_KEY, 'second-key-0123456789abcdef'])
    expect(loadConfig({}).adminApiKeys).toEqual([])
    expect(() => loadConfig({ BANKBENCH_ADMIN_API_KEYS: 'short' })).toThrow(/at least 16 characters/)
    // A blank secret is an error, never "no keys" (which would be local mode, open on loopback).
    for (const blank of [',', ' , ', '   ']) expect(() => loadConfig({ BANKBENCH_ADMIN_API_KEYS: blank })).toThrow(/names no key/)
  })
})

describe('fail closed: a deployed API needs operator keys', () => {
  it('is local mode only when nothing says the process is deployed', () => {
    expect(operatorAccess(loadConfig({}), {})).toEqual({ mode: 'local' })
    expect(operatorAccess(loadConfig({ BANKBENCH_ADMIN_API_KEYS: OPERATOR_KEY }), {})).toEqual({ mode: 'operator-keys', keys: [OPERATOR_KEY] })
  })

  it('refuses to start on Lambda, with the Batch queue, or from the Lambda entry point without a key, saying what to set', () => {
    expect(() => operatorAccess(loadConfig({}), { AWS_LAMBDA_FUNCTION_NAME: 'bankbench-dev-ApiRouteFunction' })).toThrow(/refuses to start without operator keys: it runs on AWS Lambda.*BANKBENCH_ADMIN_API_KEYS/)
    expect(() => operatorAccess(loadConfig({ BANKBENCH_QUEUE: 'batch' }), {})).toThrow(/BANKBENCH_QUEUE=batch/)
    expect(() => operatorAccess(loadConfig({}), {}, { deployed: true })).toThrow(/sst secret set ApiKeys/)
    expect(operatorAccess(loadConfig({ BANKBENCH_QUEUE: 'batch', BANKBENCH_ADMIN_API_KEYS: OPERATOR_KEY }), { AWS_LAMBDA_FUNCTION_NAME: 'f' }).mode).toBe('operator-keys')
  })

  it('the Lambda handler (functions/api/lambda.ts builds it on load): refused without a key, and it takes no local mode', () => {
    vi.stubEnv('BANKBENCH_ADMIN_API_KEYS', '')
    expect(() => createHandler()).toThrow(/refuses to start without operator keys: it is the deployed API entry point/)
    vi.stubEnv('BANKBENCH_ADMIN_API_KEYS', OPERATOR_KEY)
    expect(() => createHandler(noPlatform, { mode: 'local' })).toThrow(/requires operator keys/)
    expect(createHandler(noPlatform)).toBeTypeOf('function')
    vi.unstubAllEnvs()
  })
})

describe('local mode', () => {
  const app = createApp(noPlatform)
  const local = createApp(noPlatform, undefined, { access: { mode: 'local', port: () => 8787 } })

  it('is the default of an app without a socket, and answers loopback requests', async () => {
    expect((await app.request('/v1/presets')).status).toBe(200)
    expect((await local.request('http://localhost:8787/v1/presets')).status).toBe(200)
    for (const host of ['localhost:8787', '127.0.0.1:8787', '[::1]:8787', 'LOCALHOST:8787']) {
      expect([host, (await local.request('http://127.0.0.1:8787/v1/presets', { headers: { host } })).status]).toEqual([host, 200])
    }
  })

  it('refuses any other Host (DNS rebinding), or the right name on another port, with a 403 problem', async () => {
    for (const host of ['evil.example:8787', 'evil.example', 'localhost.evil.example:8787', '127.0.0.1:8788', 'localhost', '192.168.1.5:8787', 'user@localhost:8787']) {
      const response = await local.request('http://127.0.0.1:8787/v1/presets', { headers: { host } })
      const problem = await readProblem(response)
      expect([host, response.status, problem.contentType]).toEqual([host, 403, 'application/problem+json'])
    }
    // The URL's own authority counts too (an absolute-form request target).
    expect((await local.request('http://evil.example:8787/v1/presets')).status).toBe(403)
  })

  it('refuses a cross-origin POST, PUT, PATCH or DELETE (e.g. a rollback) before the route runs', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:3000', 'null', 'http://127.0.0.1:8787.evil.example']) {
      const response = await local.request('http://127.0.0.1:8787/v1/deployments/dev/rollback', { method: 'POST', headers: { origin } })
      const problem = await readProblem(response)
      expect([origin, response.status, problem.contentType, problem.body.detail]).toEqual([origin, 403, 'application/problem+json', expect.stringContaining('cross-origin POST refused')])
    }
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect([method, (await local.request('http://127.0.0.1:8787/v1/api-keys/key_1', { method, headers: { origin: 'https://evil.example' } })).status]).toEqual([method, 403])
    }
    const crossSite = await local.request('http://127.0.0.1:8787/v1/deployments/dev/rollback', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } })
    expect(crossSite.status).toBe(403)
  })

  it('lets the same origin, and clients without an Origin (curl, the CLI), reach the route', async () => {
    // The route runs and needs the platform this test does not have: a 500 (logged, silenced here), not a 403.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    for (const headers of [{ origin: 'http://127.0.0.1:8787' }, { origin: 'http://localhost:8787' }, {}] as Record<string, string>[]) {
      expect([headers, (await local.request('http://127.0.0.1:8787/v1/deployments/dev/rollback', { method: 'POST', headers })).status]).toEqual([headers, 500])
    }
    // Reading from another origin is left to the browser's same-origin policy (no CORS headers are sent).
    expect((await local.request('http://127.0.0.1:8787/v1/presets', { headers: { origin: 'https://evil.example' } })).status).toBe(200)
    logged.mockRestore()
  })
})

describe('the OpenAPI document', () => {
  it('declares the operator key on every /v1 route but classify, with 401 and 403, and the classify key on classify', async () => {
    const document = await (await createApp(noPlatform).request('/openapi.json')).json() as {
      components: { securitySchemes: Record<string, { type: string; scheme: string }> }
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: Record<string, unknown> }>>
    }
    expect(document.components.securitySchemes).toMatchObject({ operatorKey: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'http', scheme: 'bearer' } })
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })))
    expect(operations.length).toBeGreaterThan(20)
    for (const { path, method, operation } of operations) {
      const expected = path.startsWith('/v1/classify') ? 'apiKey' : path.startsWith('/v1/') ? 'operatorKey' : undefined
      // Routes outside /v1 (health) declare that they need no key: an empty security list.
      expect([method, path, operation.security?.flatMap(Object.keys)]).toEqual([method, path, expected ? [expected] : []])
      if (expected) expect([method, path, '401' in operation.responses, '403' in operation.responses]).toEqual([method, path, true, true])
    }
    expect(operations.map(({ method, path }) => `${method} ${path}`)).toEqual(expect.arrayContaining(['post /v1/deployments/{stage}/rollback', 'get /v1/api-keys', 'delete /v1/api-keys/{id}']))
  })
})
