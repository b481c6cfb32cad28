import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApi, readProblem, type TestApi } from '../testing'

/** These tests run real jobs: the platform's local runner starts containers/trainer/entrypoint.ts. */
let api: TestApi
beforeAll(async () => { api = await openTestApi() })
afterAll(async () => { await api?.close() })

interface Benchmark { id: string; name: string; status: string; datasetId: string; spec: { arms: unknown[] }; progress: { total: number; finished: number; counts: Record<string, number> } }

const MAJORITY = { arms: [{ method: 'majority' }] }

async function submit(body: unknown, headers: Record<string, string> = {}) {
  const response = await api.postJson('/v1/benchmarks', body, headers)
  return { response, benchmark: await response.json() as Benchmark }
}

async function waitUntilFinished(id: string, timeoutMs = 90_000): Promise<Benchmark> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
    const benchmark = await (await api.app.request(`/v1/benchmarks/${id}`)).json() as Benchmark
    if (['succeeded', 'failed', 'cancelled'].includes(benchmark.status)) return benchmark
  }
  throw new Error(`benchmark ${id} did not finish within ${timeoutMs} ms`)
}

describe('POST /v1/benchmarks', () => {
  it('accepts a benchmark (202 with Location), runs it, and exposes its runs, metrics, artifacts and job', async () => {
    const { response, benchmark } = await submit({ ...MAJORITY, name: 'majority floor' })
    expect(response.status).toBe(202)
    expect(response.headers.get('location')).toBe(`/v1/benchmarks/${benchmark.id}`)
    expect(benchmark).toMatchObject({ name: 'majority floor', datasetId: 'banking77', progress: { total: 1 } })
    expect(benchmark).not.toHaveProperty('idempotencyKey')

    const finished = await waitUntilFinished(benchmark.id)
    expect(finished).toMatchObject({ status: 'succeeded', progress: { total: 1, finished: 1, counts: { succeeded: 1 } } })

    const runs = await (await api.app.request(`/v1/benchmarks/${benchmark.id}/runs`)).json() as { items: { id: string; method: string; status: string; jobId: string; summary: { accuracy: number } }[] }
    expect(runs.items).toHaveLength(1)
    const [run] = runs.items
    expect(run).toMatchObject({ method: 'majority', status: 'succeeded' })
    // The majority class of Banking77's test split: 40 of 3,080 examples.
    expect(run!.summary.accuracy).toBeCloseTo(40 / 3080, 4)

    const detail = await (await api.app.request(`/v1/runs/${run!.id}`)).json() as { config: { method: string }; environment: object; series: Record<string, { step: number | null; epoch: number | null; value: number }[]>; artifacts: { name: string; bytes: number }[] }
    expect(detail.config.method).toBe('majority')
    expect(detail.environment).toHaveProperty('node')
    expect(detail.series.test_accuracy).toEqual([{ step: null, epoch: 1, value: run!.summary.accuracy }])
    expect(detail.artifacts.map((artifact) => artifact.name)).toContain('model.json')

    const job = await (await api.app.request(`/v1/jobs/${run!.jobId}`)).json() as { kind: string; status: string; runIds: string[]; queue: string }
    expect(job).toMatchObject({ kind: 'baseline', status: 'succeeded', runIds: [run!.id], queue: 'local' })
  })

  it('refuses malformed JSON with a 400 problem', async () => {
    const problem = await readProblem(await api.postJson('/v1/benchmarks', '{"arms": ['))
    expect(problem.contentType).toBe('application/problem+json')
    expect(problem.body).toMatchObject({ status: 400, detail: expect.stringMatching(/malformed JSON/) })
  })

  it('refuses a body that is not JSON (415)', async () => {
    const response = await api.app.request('/v1/benchmarks', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'majority please' })
    expect((await readProblem(response)).body).toMatchObject({ status: 415, detail: expect.stringContaining('application/json') })
  })

  it('refuses empty arms, listing the field', async () => {
    const problem = await readProblem(await api.postJson('/v1/benchmarks', { arms: [] }))
    expect(problem.body.status).toBe(400)
    expect(problem.body.errors).toEqual([{ path: 'arms', message: expect.any(String) }])
  })

  it('refuses an unknown method, naming the known ones', async () => {
    const problem = await readProblem(await api.postJson('/v1/benchmarks', { arms: [{ method: 'qlora-magic' }] }))
    expect(problem.body.status).toBe(400)
    expect(problem.body.detail).toContain("'qlora-magic' is not a known method")
    expect(problem.body.detail).toContain('majority, tfidf-logreg, frozen-probe, centroid, llm-api, full, lora')
  })

  it('refuses an unknown dataset', async () => {
    const problem = await readProblem(await api.postJson('/v1/benchmarks', { ...MAJORITY, dataset: 'ds_nowhere' }))
    expect(problem.body).toMatchObject({ status: 400, errors: [{ path: 'dataset', message: 'unknown dataset' }] })
  })

  it('replays a request with the same Idempotency-Key, and refuses the key for a different body (409)', async () => {
    const headers = { 'idempotency-key': 'replay-test-1' }
    const first = await submit({ ...MAJORITY, name: 'idempotent' }, headers)
    const replay = await submit({ ...MAJORITY, name: 'idempotent' }, headers)
    expect(first.response.status).toBe(202)
    expect(replay.response.status).toBe(202)
    expect(replay.benchmark.id).toBe(first.benchmark.id)

    const conflict = await readProblem(await api.postJson('/v1/benchmarks', { ...MAJORITY, name: 'something else' }, headers))
    expect(conflict.body).toMatchObject({ status: 409, detail: expect.stringContaining('replay-test-1') })
  })
})

describe('GET /v1/benchmarks', () => {
  it('pages through benchmarks newest first with the cursor', async () => {
    const ids: string[] = []
    for (const name of ['page a', 'page b', 'page c']) ids.push((await submit({ ...MAJORITY, name })).benchmark.id)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = await (await api.app.request(`/v1/benchmarks?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json() as { items: { id: string }[]; nextCursor: string | null }
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((item) => item.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.slice(0, 3)).toEqual([...ids].reverse())
  })

  it('answers an unknown id with a 404 problem', async () => {
    expect((await api.app.request('/v1/benchmarks/bm_nowhere')).status).toBe(404)
  })
})

describe('POST /v1/benchmarks/{id}/cancel', () => {
  it('cancels an active benchmark (202), then refuses to cancel it again (409)', async () => {
    const { benchmark } = await submit({ arms: [{ method: 'majority' }, { method: 'random' }], name: 'to cancel' })
    const cancelled = await api.app.request(`/v1/benchmarks/${benchmark.id}/cancel`, { method: 'POST' })
    expect(cancelled.status).toBe(202)
    expect(await cancelled.json()).toMatchObject({ id: benchmark.id, status: 'cancelled', progress: { total: 2, finished: 2, counts: { cancelled: 2 } } })

    const again = await readProblem(await api.app.request(`/v1/benchmarks/${benchmark.id}/cancel`, { method: 'POST' }))
    expect(again.body).toMatchObject({ status: 409, detail: expect.stringContaining('already cancelled') })
  })
})
