import { loadConfig } from '@bankbench/core'
import { describe, expect, it } from 'vitest'
import { createApp } from './app'
import { readProblem } from './testing'

const OPERATOR_KEY = 'operator-key-0123456789abcdef'

describe('operator keys', () => {
  // No platform: a request that passes the key check fails later with a 500, one that does not is refused first.
  const app = createApp(() => Promise.reject(new Error('no platform in this test')), undefined, { adminApiKeys: [OPERATOR_KEY] })
  const request = (path: string, authorization?: string) => app.request(path, { headers: authorization ? { authorization } : {} })

  it('refuse management routes without a valid operator key, with a 401 problem', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key-0123456789abcdef', OPERATOR_KEY]) {
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

  it('keep the API open when none is configured (the local default)', async () => {
    expect((await createApp(() => Promise.reject(new Error('unused'))).request('/v1/presets')).status).toBe(200)
  })

  it('come from BANKBENCH_ADMIN_API_KEYS, comma-separated, and must not be short', () => {
    expect(loadConfig({ BANKBENCH_ADMIN_API_KEYS: `${OPERATOR_KEY}, second-key-0123456789abcdef` }).adminApiKeys).toEqual([OPERATOR_KEY, 'second-key-0123456789abcdef'])
    expect(loadConfig({}).adminApiKeys).toEqual([])
    expect(() => loadConfig({ BANKBENCH_ADMIN_API_KEYS: 'short' })).toThrow(/at least 16 characters/)
  })
})
