import { afterEach, describe, expect, it, vi } from 'vitest'

describe('the API Lambda entry', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    vi.resetModules()
  })

  it('fails to load without an operator key, so Lambda never answers a request with an open API', async () => {
    vi.stubEnv('BANKBENCH_ADMIN_API_KEYS', '')
    await expect(import('./lambda')).rejects.toThrow(/refuses to start without operator keys: it is the deployed API entry point/)
  })

  it('exports the handler when the stage has operator keys', async () => {
    vi.stubEnv('BANKBENCH_ADMIN_API_KEYS', 'operator-key-0123456789abcdef')
    expect((await import('./lambda')).handler).toBeTypeOf('function')
  })
})
