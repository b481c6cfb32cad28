import { setTimeout as sleep } from 'node:timers/promises'
import { BankbenchApiError, type Schemas } from '@bankbench/client'
import { STREAM_SECONDS, type CliClient } from './client'
import type { MetricEvent, ProgressDisplay, RunEvent } from './progress'

const MAX_RECONNECTS_IN_A_ROW = 5

/**
 * Follows a benchmark to its end through the API's event stream
 * (`GET /v1/benchmarks/{id}/events`), feeding the display; returns the final status.
 * Each stream lasts STREAM_SECONDS; the follower reconnects with Last-Event-ID, so no
 * metric point is lost or repeated.
 */
export async function followBenchmark(client: CliClient, id: string, display: ProgressDisplay): Promise<Schemas['Status']> {
  display.addRuns((await client.api.GET('/v1/benchmarks/{id}/runs', { params: { path: { id } } })).data.items)
  let lastEventId: string | null = null
  let failures = 0
  for (;;) {
    try {
      for await (const event of readServerSentEvents(await openEventStream(client, id, lastEventId))) {
        failures = 0
        if (event.id) lastEventId = event.id
        const data = JSON.parse(event.data) as unknown
        if (event.event === 'run') display.onRun(data as RunEvent)
        else if (event.event === 'metrics') display.onMetrics((data as { points: MetricEvent[] }).points)
        else if (event.event === 'progress') display.onProgress(data as Schemas['BenchmarkProgress'])
        else if (event.event === 'end') {
          display.finish()
          return (data as { status: Schemas['Status'] }).status
        }
      }
    } catch (error) {
      // The server refused the request itself (no such benchmark, no access): reconnecting would not change that.
      if (error instanceof BankbenchApiError && error.status < 500) throw error
      // A dropped connection (server restart, network): reconnect and resume after the last event.
      failures += 1
      if (failures > MAX_RECONNECTS_IN_A_ROW) throw error
      await sleep(1000 * failures)
    }
  }
}

/** The benchmark's event stream, resuming after `lastEventId` when given. */
async function openEventStream(client: CliClient, id: string, lastEventId: string | null): Promise<ReadableStream<Uint8Array>> {
  const { data } = await client.events.GET('/v1/benchmarks/{id}/events', {
    params: { path: { id }, query: { maxSeconds: STREAM_SECONDS }, header: lastEventId ? { 'last-event-id': lastEventId } : {} },
    parseAs: 'stream',
  })
  if (!data) throw new Error('the event stream answered without a body')
  return data
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
