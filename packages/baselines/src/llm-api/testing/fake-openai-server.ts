/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: `POST /v1/chat/completions`
 * answers each query (the last user message) deterministically, counts tokens as
 * whitespace-separated words, and can answer with failures first to exercise retries.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeReply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

export interface FakeServerOptions {
  /** The assistant's answer to a query. */
  answer: (query: string) => string
  /**
   * A reply instead of the answer for a query's nth call (1-based): how a test
   * injects 429s and 5xx. Return undefined to answer normally.
   */
  intercept?: (query: string, call: number) => FakeReply | undefined
  /** Delay before each reply, so that concurrent requests overlap. */
  delayMs?: number
  /** Leave `usage` out of the responses. */
  omitUsage?: boolean
}

export interface RecordedRequest {
  headers: IncomingHttpHeaders
  body: { model: string; messages: { role: string; content: string }[]; temperature: number; max_tokens: number; response_format?: unknown }
}

export interface FakeOpenAiServer {
  /** The base URL, `http://127.0.0.1:<port>/v1`. */
  baseUrl: string
  requests: RecordedRequest[]
  /** The most requests that were in flight at once. */
  maxInFlight: number
  close(): Promise<void>
}

export const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length

export async function startFakeOpenAiServer(options: FakeServerOptions): Promise<FakeOpenAiServer> {
  const calls = new Map<string, number>()
  let inFlight = 0
  const state: Omit<FakeOpenAiServer, 'baseUrl' | 'close'> = { requests: [], maxInFlight: 0 }
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, inFlight)
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body']
      state.requests.push({ headers: request.headers, body })
      const query = body.messages.at(-1)!.content
      const call = (calls.get(query) ?? 0) + 1
      calls.set(query, call)
      const reply = request.url === '/v1/chat/completions' ? options.intercept?.(query, call) ?? completion(body, options) : { status: 404, body: { error: 'not found' } }
      setTimeout(() => {
        inFlight--
        response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        response.end(JSON.stringify(reply.body))
      }, options.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  })
}

function completion(body: RecordedRequest['body'], options: FakeServerOptions): FakeReply {
  const content = options.answer(body.messages.at(-1)!.content)
  const usage = { prompt_tokens: body.messages.reduce((sum, message) => sum + countWords(message.content), 0), completion_tokens: countWords(content) }
  return {
    status: 200,
    body: {
      id: 'chatcmpl-fake', object: 'chat.completion', model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      ...(options.omitUsage ? {} : { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }),
    },
  }
}
