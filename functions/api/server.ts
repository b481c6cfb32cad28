import { createPlatform, loadConfig, type Platform } from '@bankbench/core'
import { serve } from '@hono/node-server'
import { pathToFileURL } from 'node:url'
import { createApp } from './app'

/** Serves the API on `port` (0: any free port). `close()` stops the server; the platform stays the caller's. */
export function startServer(platform: Platform, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp(platform, undefined, { adminApiKeys: platform.config.adminApiKeys })
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))),
      })
    })
  })
}

// `npx tsx functions/api/server.ts`: the embedded platform (configured from the environment) on PORT.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig()
  const platform = await createPlatform(config)
  const server = await startServer(platform, config.port)
  console.log(`bankbench API on ${server.url} (reference: ${server.url}/docs)`)
  const shutdown = async () => {
    await server.close()
    await platform.close()
  }
  process.once('SIGINT', () => void shutdown())
  process.once('SIGTERM', () => void shutdown())
}
