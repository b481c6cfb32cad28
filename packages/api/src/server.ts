import type { AddressInfo } from 'node:net'
import type { Platform } from '@bankbench/core'
import { serve } from '@hono/node-server'
import { operatorAccess } from './admin-keys'
import { createApp } from './app'

/** The only address the node server listens on: the API is never reachable from another machine. */
export const LOOPBACK_ADDRESS = '127.0.0.1'

/**
 * Serves the API on `port` (0: any free port) of the loopback interface. Without
 * operator keys it runs in local mode (Host and Origin checked, admin-keys.ts); a
 * deployed configuration without keys is refused before anything listens.
 * `close()` stops the server; the platform stays the caller's.
 */
export async function startServer(platform: Platform, port: number, env: Record<string, string | undefined> = process.env): Promise<{ url: string; address: AddressInfo; close(): Promise<void> }> {
  let listening: number | undefined
  const access = operatorAccess(platform.config, env)
  // Until the port is known (port 0), requests cannot arrive: the getter is read per request.
  const app = createApp(platform, undefined, { access: access.mode === 'local' ? { mode: 'local', port: () => listening ?? port } : access })
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: LOOPBACK_ADDRESS }, (info) => {
      listening = info.port
      resolve({
        url: `http://${LOOPBACK_ADDRESS}:${info.port}`,
        address: info,
        close: () => new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))),
      })
    })
  })
}
