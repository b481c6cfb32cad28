import { createInferenceApp } from '@bankbench/api'
import { describe, expect, it } from 'vitest'
import { INFERENCE_ROUTES } from '../../infra/lambda-bundles'

describe('inference app', () => {
  it('answers exactly the routes infra sends to the inference function, refusing a request without a key before any database work', async () => {
    const app = createInferenceApp(() => Promise.reject(new Error('no platform in this test')))
    for (const route of INFERENCE_ROUTES) {
      const [method, path] = route.split(' ') as [string, string]
      const response = await app.request(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stage: 'dev', text: 'hi', texts: ['hi'] }) })
      expect([route, response.status, response.headers.get('content-type')]).toEqual([route, 401, 'application/problem+json'])
    }
    expect((await app.request('/v1/benchmarks', { method: 'POST' })).status).toBe(404)
  })
})
