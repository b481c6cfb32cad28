import { describe, expect, it } from 'vitest'
import { readServerSentEvents } from './follow'

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({ start(controller) { for (const chunk of chunks) controller.enqueue(encoder.encode(chunk)); controller.close() } })
}

describe('readServerSentEvents', () => {
  it('reassembles events split across chunks and keeps their ids', async () => {
    const events = []
    for await (const event of readServerSentEvents(streamOf('event: run\ndata: {"runId":', '"r1"}\n\nevent: metrics\nid: 7\r\n', 'data: {"points":[]}\n\n: comment\n\n'))) events.push(event)
    expect(events).toEqual([
      { event: 'run', data: '{"runId":"r1"}', id: null },
      { event: 'metrics', data: '{"points":[]}', id: '7' },
    ])
  })
})
