import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer } from '@bankbench/api'
import { createPlatform, loadConfig, type Platform } from '@bankbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BankbenchApiError, createBankbenchClient, type BankbenchClient, type Schemas } from './index'

/** The client against a real bankbench: the embedded platform in a fresh home, served over HTTP on a free port. */
let home: string
let platform: Platform
let server: { url: string; close(): Promise<void> }
let bankbench: BankbenchClient

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'bankbench-client-'))
  platform = await createPlatform(loadConfig({ BANKBENCH_HOME: home }))
  server = await startServer(platform, 0)
  bankbench = createBankbenchClient({ baseUrl: server.url, timeoutMs: 10_000, retries: 1 })
})
afterAll(async () => {
  await server?.close()
  await platform?.close()
  rmSync(home, { recursive: true, force: true })
})

async function waitUntilFinished(id: string): Promise<Schemas['BenchmarkDetail']> {
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(250)) {
    const { data } = await bankbench.GET('/v1/benchmarks/{id}', { params: { path: { id } } })
    if (['succeeded', 'failed', 'cancelled'].includes(data.status)) return data
  }
  throw new Error(`benchmark ${id} did not finish within 90 s`)
}

describe('the client against a real bankbench server', () => {
  it('lists datasets with typed data', async () => {
    const { data } = await bankbench.GET('/v1/datasets', { params: { query: { limit: 10 } } })
    const banking77 = data.items.find((dataset) => dataset.id === 'banking77')
    expect(banking77).toMatchObject({ source: 'builtin', labelCount: 77 })
  })

  it('creates a benchmark, then reads it back until it has finished', async () => {
    const { data: created, response } = await bankbench.POST('/v1/benchmarks', {
      body: { name: 'client majority', arms: [{ method: 'majority' }] },
      params: { header: { 'idempotency-key': 'client-test-1' } },
    })
    expect(response.status).toBe(202)
    expect(response.headers.get('location')).toBe(`/v1/benchmarks/${created.id}`)
    expect(created).toMatchObject({ name: 'client majority', datasetId: 'banking77', progress: { total: 1 } })

    const finished = await waitUntilFinished(created.id)
    expect(finished.progress).toMatchObject({ total: 1, finished: 1, counts: { succeeded: 1 } })
  })

  it('throws a BankbenchApiError carrying the problem+json body', async () => {
    const error = await bankbench.POST('/v1/benchmarks', { body: { arms: [] } }).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(BankbenchApiError)
    const { status, problem, requestId } = error as BankbenchApiError
    expect(status).toBe(400)
    expect(problem).toMatchObject({ status: 400, title: expect.any(String), errors: [{ path: 'arms', message: expect.any(String) }] })
    expect(requestId).toMatch(/\S/)

    const missing = await bankbench.GET('/v1/benchmarks/{id}', { params: { path: { id: 'bm_nowhere' } } }).catch((thrown: unknown) => thrown)
    expect(missing).toMatchObject({ status: 404, problem: { status: 404, detail: expect.stringContaining('bm_nowhere') } })
  })
})
