import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from './app'
import { createHandler } from './lambda'
import { startServer } from './server'
import { openTestApi, readProblem, type TestApi } from './testing'

let api: TestApi
beforeAll(async () => { api = await openTestApi() })
afterAll(async () => { await api?.close() })

describe('GET /health', () => {
  it('reports the version, a reachable database and the queue', async () => {
    const response = await api.app.request('/health')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', version: expect.any(String), database: { reachable: true }, queue: { name: 'local' } })
    expect(response.headers.get('x-request-id')).toBeTruthy()
  })
})

describe('errors', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const response = await api.app.request('/v1/nothing-here')
    const problem = await readProblem(response)
    expect(response.status).toBe(404)
    expect(problem.contentType).toBe('application/problem+json')
    expect(problem.body).toMatchObject({ type: 'https://bankbench.dev/problems/not-found', status: 404, detail: expect.stringContaining('GET /v1/nothing-here') })
  })

  it.each(['/v1/runs/run_unknown', '/v1/jobs/job_unknown', '/v1/benchmarks/bm_unknown/runs'])('answers %s with a 404 problem', async (path) => {
    const response = await api.app.request(path)
    const problem = await readProblem(response)
    expect(response.status).toBe(404)
    expect(problem.body.detail).toMatch(/does not exist/)
  })

  it('answers an unexpected failure with a generic 500 problem and logs it without the request body', async () => {
    const app = createApp(() => Promise.reject(new Error('database unreachable')))
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const response = await app.request('/v1/benchmarks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'customer secret text', arms: [{ method: 'majority' }] }),
      })
      const problem = await readProblem(response)
      expect(response.status).toBe(500)
      expect(problem.contentType).toBe('application/problem+json')
      expect(problem.body.detail).toContain(response.headers.get('x-request-id'))
      expect(problem.body.detail).not.toContain('database unreachable')
      const log = logged.mock.calls.flat().join(' ')
      expect(log).toContain('database unreachable')
      expect(log).not.toContain('customer secret text')
    } finally {
      logged.mockRestore()
    }
  })
})

describe('API reference', () => {
  it('serves the OpenAPI document with named schemas', async () => {
    const response = await api.app.request('/openapi.json')
    const document = await response.json() as { openapi: string; info: { title: string }; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }
    expect(document.openapi).toBe('3.1.0')
    expect(document.info.title).toBe('bankbench')
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/v1/datasets', '/v1/benchmarks/{id}/cancel', '/v1/runs/{id}', '/v1/jobs/{id}']))
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'Dataset', 'BenchmarkSpec', 'BenchmarkDetail', 'Run', 'Job']))
  })

  it('renders a self-contained HTML reference at /docs', async () => {
    const response = await api.app.request('/docs')
    const html = await response.text()
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(html).toContain('<code>/v1/benchmarks/{id}/cancel</code>')
    expect(html).toContain('id="schema-BenchmarkSpec"')
    expect(html).not.toMatch(/<script|https?:\/\/(?!bankbench\.dev)[^"]*\.(js|css)/)
  })
})

describe('entrypoints', () => {
  it('serves over HTTP with @hono/node-server', async () => {
    const server = await startServer(api.platform, 0)
    try {
      const health = await fetch(`${server.url}/health`)
      expect(health.status).toBe(200)
      const tooLarge = await fetch(`${server.url}/v1/datasets`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: new Uint8Array(11 << 20) })
      expect(tooLarge.status).toBe(413)
      expect(tooLarge.headers.get('content-type')).toBe('application/problem+json')
    } finally {
      await server.close()
    }
  })

  it('answers an API Gateway (HTTP API) event as a Lambda handler', async () => {
    // A deployed handler always has operator keys (createHandler refuses local mode).
    const key = 'operator-key-0123456789abcdef'
    const handler = createHandler(async () => api.platform, { mode: 'operator-keys', keys: [key] })
    const event = {
      version: '2.0', routeKey: '$default', rawPath: '/v1/datasets/banking77', rawQueryString: '', isBase64Encoded: false,
      headers: { host: 'api.example.com', authorization: `Bearer ${key}` },
      requestContext: { http: { method: 'GET', path: '/v1/datasets/banking77', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'r1', stage: '$default' },
    }
    const result = await handler(event as unknown as Parameters<typeof handler>[0], {} as Parameters<typeof handler>[1])
    expect(result.statusCode).toBe(200)
    expect(JSON.parse(result.body)).toMatchObject({ id: 'banking77', labelCount: 77 })
  })
})
