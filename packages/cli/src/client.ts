import { createPlatform, loadConfig } from '@bankbench/core'
// The CLI sits at the top of the dependency graph, beside scripts/: it composes the API app itself.
import { createApp } from '../../../functions/api/app'

/** An error response of the API: its problem detail is what the user needs to read. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: { title?: string; detail?: string }, path: string) {
    super(`${path} → ${status}: ${problem.detail ?? problem.title ?? 'no detail'}`)
    this.name = 'ApiError'
  }
}

/** The bankbench API as the CLI uses it, over HTTP or in-process: the same requests either way. */
export interface ApiClient {
  /** Where requests go, for messages: a URL or "embedded stack in <home>". */
  describe: string
  request(path: string, init?: RequestInit): Promise<Response>
  getJson<T>(path: string): Promise<T>
  postJson<T>(path: string, body: unknown): Promise<T>
  close(): Promise<void>
}

/** A client of a running server (`bankbench start`, or a deployed API). */
export function httpClient(baseUrl: string): ApiClient {
  return clientOver((path, init) => fetch(`${baseUrl}${path}`, init), baseUrl, async () => {})
}

/**
 * A client of an embedded stack opened in this process: PGlite, files and the local
 * job runner under BANKBENCH_HOME, the API app answering requests without a port.
 * Job processes still run as children and write through the database socket.
 */
export async function embeddedClient(env: Record<string, string | undefined> = process.env): Promise<ApiClient> {
  const config = loadConfig(env)
  const platform = await createPlatform(config)
  const app = createApp(platform)
  return clientOver(async (path, init) => app.request(path, init), `embedded stack in ${config.home}`, () => platform.close())
}

function clientOver(send: (path: string, init?: RequestInit) => Promise<Response>, describe: string, close: () => Promise<void>): ApiClient {
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await send(path, init)
    const body = await response.json().catch(() => ({})) as T & { title?: string; detail?: string }
    if (!response.ok) throw new ApiError(response.status, body, path)
    return body
  }
  return {
    describe,
    request: send,
    getJson: (path) => json(path),
    postJson: (path, body) => json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    close,
  }
}
