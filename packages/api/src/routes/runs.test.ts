import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApi, readProblem, type TestApi } from '../testing'

/** These tests run real jobs: the local runner starts containers/trainer/entrypoint.ts. */
let api: TestApi
beforeAll(async () => { api = await openTestApi() })
afterAll(async () => { await api?.close() })

interface Run { id: string; status: string; jobId: string; attempt: number; error: string | null; summary: { accuracy: number } | null }

async function runsOf(benchmarkId: string): Promise<Run[]> {
  return ((await (await api.app.request(`/v1/benchmarks/${benchmarkId}/runs`)).json()) as { items: Run[] }).items
}

async function waitForRun(id: string, timeoutMs = 90_000): Promise<Run> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
    const run = await (await api.app.request(`/v1/runs/${id}`)).json() as Run
    if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return run
  }
  throw new Error(`run ${id} did not finish within ${timeoutMs} ms`)
}

describe('POST /v1/runs/{id}/retry', () => {
  it('queues a cancelled run again alone, in a new single-run job, and runs it to success', async () => {
    const benchmark = await (await api.postJson('/v1/benchmarks', { arms: [{ method: 'majority' }, { method: 'random' }], name: 'retry' })).json() as { id: string }
    await api.app.request(`/v1/benchmarks/${benchmark.id}/cancel`, { method: 'POST' })
    const [cancelled, other] = await runsOf(benchmark.id)
    expect(cancelled!.status).toBe('cancelled')

    const response = await api.app.request(`/v1/runs/${cancelled!.id}/retry`, { method: 'POST' })
    expect(response.status).toBe(202)
    expect(response.headers.get('location')).toBe(`/v1/runs/${cancelled!.id}`)
    const retried = await response.json() as Run
    expect(retried).toMatchObject({ id: cancelled!.id, error: null })
    expect(['queued', 'running']).toContain(retried.status)
    expect(retried.jobId).not.toBe(cancelled!.jobId)

    const job = await (await api.app.request(`/v1/jobs/${retried.jobId}`)).json() as { kind: string; runIds: string[] }
    expect(job).toMatchObject({ kind: 'baseline', runIds: [cancelled!.id] })

    const finished = await waitForRun(cancelled!.id)
    expect(finished.status).toBe('succeeded')
    expect(finished.summary!.accuracy).toBeCloseTo(40 / 3080, 4)
    // The other run stayed cancelled, so the benchmark ends cancelled.
    expect((await runsOf(benchmark.id)).find((run) => run.id === other!.id)!.status).toBe('cancelled')
    expect((await (await api.app.request(`/v1/benchmarks/${benchmark.id}`)).json() as { status: string }).status).toBe('cancelled')

    const again = await readProblem(await api.app.request(`/v1/runs/${cancelled!.id}/retry`, { method: 'POST' }))
    expect(again.body).toMatchObject({ status: 409, detail: expect.stringContaining('is succeeded; only a failed or cancelled run can be retried') })
  })

  it('answers an unknown run with a 404 problem', async () => {
    expect((await readProblem(await api.app.request('/v1/runs/run_nowhere/retry', { method: 'POST' }))).body.status).toBe(404)
  })
})
