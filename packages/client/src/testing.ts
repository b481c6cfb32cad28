/**
 * For tests of code that calls bankbench (`@bankbench/client/testing`): a real HTTP
 * peer on 127.0.0.1 that answers each request with the next scripted reply and
 * records what it received, to drive retries, timeouts and error paths.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Reply = (response: ServerResponse) => void
export interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: string }

const openServers: Server[] = []

/** Answers request n with replies[n], and every request after the last reply with the last one. */
export async function scriptedServer(...replies: Reply[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = []
  const server = createServer(async (request, response) => {
    let body = ''
    for await (const chunk of request) body += chunk
    received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body })
    const reply = replies[received.length - 1] ?? replies.at(-1)!
    reply(response)
  })
  openServers.push(server)
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }
}

/** Closes every scripted server, dropping the requests they hold (for `afterEach`). */
export function closeScriptedServers(): void {
  for (const server of openServers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
}

/** A port that was free a moment ago: the operating system refuses connections to it. */
export async function urlWhereNothingListens(): Promise<string> {
  const server = createServer()
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
  const { port } = server.address() as AddressInfo
  await new Promise((closed) => server.close(closed))
  return `http://127.0.0.1:${port}`
}

/** A JSON answer; an error status is sent as problem+json, as the API does. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (response) => {
  response.writeHead(status, { 'content-type': status < 400 ? 'application/json' : 'application/problem+json', ...headers })
  response.end(JSON.stringify(body))
}

export const problem = (status: number, detail: string, headers: Record<string, string> = {}): Reply =>
  json(status, { type: 'https://bankbench.dev/problems/test', title: 'Test problem', status, detail }, headers)

/** Holds the request open without answering, to run into the client's timeout. */
export const neverAnswers: Reply = () => {}
