import { request } from 'node:http'
import { loadConfig, type Platform } from '@bankbench/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LOOPBACK_ADDRESS, startServer } from './server'

/** A raw HTTP request, so that the test chooses the Host header as a rebound page's browser would send it. */
function send(url: string, { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; contentType: string | undefined; body: string }>((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: response.statusCode!, contentType: response.headers['content-type'], body }))
    })
    outgoing.on('error', reject).end()
  })
}

describe('npm start (local mode)', () => {
  // No database: refused requests never reach one; an accepted state change fails with a 500 on the missing platform.
  const platform = { config: loadConfig({}) } as Platform
  let server: Awaited<ReturnType<typeof startServer>>
  let port: number
  beforeAll(async () => {
    server = await startServer(platform, 0, {})
    port = server.address.port
  })
  afterAll(async () => server.close())

  it('listens on loopback only', () => {
    expect(server.address.address).toBe(LOOPBACK_ADDRESS)
    expect(server.url).toBe(`http://127.0.0.1:${port}`)
  })

  it('answers requests for its loopback names on its port, and refuses any other Host (DNS rebinding) with a 403 problem', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect([host, (await send(`${server.url}/v1/presets`, { headers: { host } })).status]).toEqual([host, 200])
    }
    for (const host of [`rebound.example:${port}`, `localhost:${port + 1}`, 'localhost']) {
      const response = await send(`${server.url}/v1/presets`, { headers: { host } })
      expect([host, response.status, response.contentType]).toEqual([host, 403, 'application/problem+json'])
    }
  })

  it('refuses a cross-origin rollback with a 403 problem, and lets its own origin through', async () => {
    const rollback = `${server.url}/v1/deployments/dev/rollback`
    const crossOrigin = await send(rollback, { method: 'POST', headers: { origin: 'https://evil.example' } })
    expect([crossOrigin.status, crossOrigin.contentType]).toEqual([403, 'application/problem+json'])
    expect(JSON.parse(crossOrigin.body)).toMatchObject({ status: 403, detail: expect.stringContaining('cross-origin POST refused') })
    vi.spyOn(console, 'error').mockImplementation(() => {})
    expect((await send(rollback, { method: 'POST', headers: { origin: `http://localhost:${port}` } })).status).toBe(500)
    vi.restoreAllMocks()
  })

  it('refuses to start at all when the configuration is deployed but has no operator key', async () => {
    await expect(startServer({ config: loadConfig({ BANKBENCH_QUEUE: 'batch' }) } as Platform, 0, {})).rejects.toThrow(/refuses to start without operator keys/)
    await expect(startServer(platform, 0, { AWS_LAMBDA_FUNCTION_NAME: 'api' })).rejects.toThrow(/refuses to start/)
  })
})
