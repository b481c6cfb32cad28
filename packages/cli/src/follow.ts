import { setTimeout as sleep } from 'node:timers/promises'
import type { JobStatus } from '@bankbench/core'
import type { Progress, RunSummary } from './api-types'
import type { ApiClient } from './client'
import type { MetricEvent, ProgressDisplay, RunEvent } from './progress'

/** Each event stream lasts this long; the follower reconnects with Last-Event-ID, so no metric point is lost or repeated. */
const STREAM_SECONDS = 300
const MAX_RECONNECTS_IN_A_ROW = 5

/**
 * Follows a benchmark to its end through the API's event stream
 * (`GET /v1/benchmarks/{id}/events`), feeding the display; returns the final status.
 */
export async function followBenchmark(client: ApiClient, id: string, display: ProgressDisplay): Promise<JobStatus> {
  display.addRuns((await client.getJson<{ items: RunSummary[] }>(`/v1/benchmarks/${id}/runs`)).items)
  let lastEventId: string | null = null
  let failures = 0
  for (;;) {
    try {
      const response = await client.request(`/v1/benchmarks/${id}/events?maxSeconds=${STREAM_SECONDS}`, { headers: lastEventId ? { 'last-event-id': lastEventId } : {} })
      if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`)
      for await (const event of readServerSentEvents(response.body)) {
        failures = 0
        if (event.id) lastEventId = event.id
        const data = JSON.parse(event.data) as unknown
        if (event.event === 'run') display.onRun(data as RunEvent)
        else if (event.event === 'metrics') display.onMetrics((data as { points: MetricEvent[] }).points)
        else if (event.event === 'progress') display.onProgress(data as Progress)
        else if (event.event === 'end') {
          display.finish()
          return (data as { status: JobStatus }).status
        }
      }
    } catch (error) {
      // A dropped connection (server restart, network): reconnect and resume after the last event.
      failures += 1
      if (failures > MAX_RECONNECTS_IN_A_ROW) throw error
      await sleep(1000 * failures)
    }
  }
}

export interface ServerSentEvent { event: string; data: string; id: string | null }

/** Parses a text/event-stream body (the subset the API sends: event, data and id fields). */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n')
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const event: ServerSentEvent = { event: 'message', data: '', id: null }
      const data: string[] = []
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':')
        if (colon <= 0) continue
        const field = line.slice(0, colon)
        const value = line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event.event = value
        else if (field === 'data') data.push(value)
        else if (field === 'id') event.id = value
      }
      event.data = data.join('\n')
      if (data.length > 0) yield event
    }
  }
}
