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

  it('refuses a small body whose grid would expand to 64 million runs, quickly and before expanding it', async () => {
    const values = (scale: number, digits: number) => Array.from({ length: 20 }, (_, i) => Number(((i + 1) * scale).toFixed(digits)))
    const grid = {
      r: values(1, 0), lora_alpha: values(1.61803399, 8), lora_dropout: values(0.0123456789, 10),
      batch_size: values(3, 0), max_length: values(17, 0), learning_rate: values(0.0000123456789, 13),
    }
    // 6 keys x 20 values, as a client's pretty-printed JSON: about 2 KB.
    const body = JSON.stringify({ name: 'grid bomb', arms: [{ method: 'lora', grid }] }, null, 1)
    expect(body.length).toBeGreaterThan(1800)
    expect(body.length).toBeLessThan(2048)
    const started = performance.now()
    const problem = await readProblem(await api.postJson('/v1/benchmarks', body))
    expect(performance.now() - started).toBeLessThan(2000)
    expect(problem.contentType).toBe('application/problem+json')
    expect(problem.body).toMatchObject({ status: 400, errors: [{ path: 'budget.maxRuns', message: '64,000,000 runs planned, at most 200 allowed' }] })
    expect(problem.body.detail).toBe('the benchmark expands to 64,000,000 runs (the largest is arms[0]: 20 r x 20 lora_alpha x 20 lora_dropout x 20 batch_size x 20 max_length '
      + 'x 20 learning_rate x 1 seed), more than budget.maxRuns=200; shrink the grids, add a subsample, or raise budget.maxRuns')
  })

  it('refuses misspelled keys at any level, naming each with the nearest known key', async () => {
    const problem = await readProblem(await api.postJson('/v1/benchmarks', { arms: [{ method: 'tfidf-logreg', confg: { C: 1 } }], protocl: { seeds: [1] } }))
    expect(problem.contentType).toBe('application/problem+json')
    expect(problem.body.status).toBe(400)
    expect(problem.body.errors).toEqual(expect.arrayContaining([
      { path: 'arms.0', message: "unknown key 'confg' in arms[0]; did you mean 'config'?" },
      { path: '(body)', message: "unknown key 'protocl' in the body; did you mean 'protocol'?" },
    ]))
    expect(problem.body.detail).toContain("unknown key 'confg' in arms[0]; did you mean 'config'?")

    const nested = await readProblem(await api.postJson('/v1/benchmarks', { arms: [{ method: 'majority' }], protocol: { epochs: 1, seed: [3] }, constraints: { minAcuracy: 0.9 } }))
    expect(nested.body.errors).toEqual(expect.arrayContaining([
      { path: 'protocol', message: "unknown key 'seed' in protocol; did you mean 'seeds'?" },
      { path: 'constraints', message: "unknown key 'minAcuracy' in constraints; did you mean 'minAccuracy'?" },
    ]))

    const hyperparameter = await readProblem(await api.postJson('/v1/benchmarks', { arms: [{ method: 'tfidf-logreg', grid: { max_iteration: [10, 20] } }] }))
    expect(hyperparameter.body).toMatchObject({ status: 400, errors: [{ path: 'arms.0.grid', message: "unknown hyperparameter 'max_iteration' of tfidf-logreg in arms[0].grid; did you mean 'max_iterations'?" }] })
  })

  it('refuses control characters in the benchmark name', async () => {
    for (const name of ['null\u0000byte', 'two\nlines', 'escape \u001b[31mred', 'delete\u007f']) {
      const problem = await readProblem(await api.postJson('/v1/benchmarks', { ...MAJORITY, name }))
      expect(problem.contentType).toBe('application/problem+json')
      expect(problem.body).toMatchObject({ status: 400, errors: [{ path: 'name', message: 'must not contain control characters (U+0000 to U+001F, U+007F)' }] })
    }
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

describe('POST /v1/benchmarks with a preset', () => {
  it('takes the protocol fields the request leaves out from the preset, and the ones it sets from the request', async () => {
    const { response, benchmark } = await submit({ preset: 'slots', protocol: { seeds: [7] } })
    expect(response.status).toBe(202)
    // Cancelled at once: only the stored spec is under test, not the slot-filling runs.
    await api.app.request(`/v1/benchmarks/${benchmark.id}/cancel`, { method: 'POST' })
    const stored = await (await api.app.request(`/v1/benchmarks/${benchmark.id}`)).json() as { spec: { protocol: { seeds: number[]; epochs: number } } }
    expect(stored.spec.protocol).toMatchObject({ seeds: [7], epochs: 20 })
  })
})
