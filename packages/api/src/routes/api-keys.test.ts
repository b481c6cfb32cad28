import { createApiKey, hashApiKey } from '@bankbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApi, readProblem, type TestApi } from '../testing'

describe('classify API keys: create, list, revoke, expire', () => {
  let api: TestApi
  beforeAll(async () => {
    api = await openTestApi()
  })
  afterAll(async () => api.close())

  const classify = (key: string) => api.postJson('/v1/classify', { stage: 'keys', text: 'I lost my card' }, { authorization: `Bearer ${key}` })

  it('creates a key with an expiry, shows it once, and lists it by prefix only', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString()
    const created = await api.postJson('/v1/api-keys', { stage: 'keys', expiresAt })
    expect(created.status).toBe(201)
    const body = await created.json() as { id: string; key: string; prefix: string; status: string; expiresAt: string; revokedAt: null }
    expect(body).toMatchObject({ stage: 'keys', status: 'active', expiresAt, revokedAt: null })
    expect(body.prefix).toBe(body.key.slice(0, 11))

    const listed = await (await api.app.request('/v1/api-keys?stage=keys')).json() as { items: Record<string, unknown>[] }
    expect(listed.items.map((item) => item.id)).toContain(body.id)
    const text = JSON.stringify(listed)
    expect(text).not.toContain(body.key)
    expect(text).not.toContain(hashApiKey(body.key))
    expect(Object.keys(listed.items[0]!).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'prefix', 'revokedAt', 'stage', 'status'])
    // A key is accepted: with nothing deployed, classify gets past it to a 404.
    expect((await classify(body.key)).status).toBe(404)
  })

  it('refuses an expiry in the past or more than a year ahead', async () => {
    for (const expiresAt of [new Date(Date.now() - 1000).toISOString(), new Date(Date.now() + 400 * 86_400_000).toISOString(), 'tomorrow']) {
      const response = await api.postJson('/v1/api-keys', { stage: 'keys', expiresAt })
      expect([expiresAt, response.status, (await readProblem(response)).body.errors?.[0]?.path]).toEqual([expiresAt, 400, 'expiresAt'])
    }
  })

  it('revokes a key: classify answers 401 at once, the list says revoked, revoking again changes nothing', async () => {
    const { id, key } = await (await api.postJson('/v1/api-keys', { stage: 'keys' })).json() as { id: string; key: string }
    expect((await classify(key)).status).toBe(404)
    const revoked = await api.app.request(`/v1/api-keys/${id}`, { method: 'DELETE' })
    const revokedBody = await revoked.json() as { status: string; revokedAt: string }
    expect([revoked.status, revokedBody.status]).toEqual([200, 'revoked'])
    const refused = await classify(key)
    expect([refused.status, (await readProblem(refused)).body.detail]).toEqual([401, expect.stringContaining('revoked')])
    const again = await (await api.app.request(`/v1/api-keys/${id}`, { method: 'DELETE' })).json() as { revokedAt: string }
    expect(again.revokedAt).toBe(revokedBody.revokedAt)
    expect((await api.app.request('/v1/api-keys/key_unknown', { method: 'DELETE' })).status).toBe(404)
  })

  it('refuses an expired key with a 401, and lists it as expired', async () => {
    const { row, key } = await createApiKey(api.platform.db, 'keys', { expiresAt: new Date(Date.now() - 1) })
    const refused = await classify(key)
    expect([refused.status, (await readProblem(refused)).body.detail]).toEqual([401, expect.stringContaining('expired')])
    const listed = await (await api.app.request('/v1/api-keys')).json() as { items: { id: string; status: string }[] }
    expect(listed.items.find((item) => item.id === row.id)?.status).toBe('expired')
  })
})
