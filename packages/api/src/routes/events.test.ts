import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApi, readProblem, type TestApi } from '../testing'

/** These tests run a real job: the local runner starts containers/trainer/entrypoint.ts. */
let api: TestApi
beforeAll(async () => { api = await openTestApi() })
afterAll(async () => { await api?.close() })

interface ServerSentEvent { event: string; id?: string; data: Record<string, unknown> }

/** Reads a whole event stream (it ends by itself) into its events. */
async function readEvents(response: Response): Promise<ServerSentEvent[]> {
  const text = await response.text()
  return text.split('\n\n').filter((block) => block.trim()).map((block) => {
    const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]))
    return { event: fields.event!, ...(fields.id ? { id: fields.id } : {}), data: JSON.parse(fields.data!) as Record<string, unknown> }
  })
}

describe('GET /v1/benchmarks/{id}/events', () => {
  it('streams run status changes, metric points and progress until the benchmark ends', async () => {
    const submitted = await (await api.postJson('/v1/benchmarks', { arms: [{ method: 'majority' }], name: 'streamed' })).json() as { id: string }
    const response = await api.app.request(`/v1/benchmarks/${submitted.id}/events`)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = await readEvents(response)

    const statuses = events.filter((event) => event.event === 'run').map((event) => event.data.status)
    expect(statuses.at(-1)).toBe('succeeded')
    const points = events.filter((event) => event.event === 'metrics').flatMap((event) => event.data.points as { name: string; value: number }[])
    expect(points.map((point) => point.name)).toEqual(['validation_accuracy', 'test_accuracy'])
    const progress = events.filter((event) => event.event === 'progress').at(-1)!
    expect(progress.data).toMatchObject({ total: 1, finished: 1, counts: { succeeded: 1 }, eta: null })
    expect(events.at(-1)).toEqual({ event: 'end', data: { benchmarkId: submitted.id, status: 'succeeded' } })

    // Reconnecting with the last metric event's id sends no point twice; a finished benchmark's stream ends at once.
    const lastId = events.filter((event) => event.event === 'metrics').at(-1)!.id!
    const resumed = await readEvents(await api.app.request(`/v1/benchmarks/${submitted.id}/events`, { headers: { 'last-event-id': lastId } }))
    expect(resumed.map((event) => event.event)).toEqual(['run', 'progress', 'end'])
  })

  it('ends an unfinished stream with a timeout event after maxSeconds', async () => {
    const submitted = await (await api.postJson('/v1/benchmarks', { arms: [{ method: 'majority' }, { method: 'random' }], name: 'cut short' })).json() as { id: string }
    const events = await readEvents(await api.app.request(`/v1/benchmarks/${submitted.id}/events?maxSeconds=1`))
    expect(events.at(-1)).toMatchObject({ event: 'timeout', data: { benchmarkId: submitted.id } })
    await api.app.request(`/v1/benchmarks/${submitted.id}/cancel`, { method: 'POST' })
  })

  it('answers an unknown benchmark with a 404 problem, not a stream', async () => {
    const problem = await readProblem(await api.app.request('/v1/benchmarks/bm_nowhere/events'))
    expect(problem).toMatchObject({ contentType: 'application/problem+json', body: { status: 404 } })
  })
})
