import { operatorAccess, startServer } from '@bankbench/api'
import { createPlatform, loadConfig } from '@bankbench/core'
import type { Output } from '../output'

/** `bankbench start`: the API on the embedded stack until SIGINT or SIGTERM. */
export async function startLocalStack(port: number | undefined, output: Output, env: Record<string, string | undefined>): Promise<number> {
  const config = loadConfig(env)
  // Refused before anything opens when the configuration is deployed but names no operator key.
  operatorAccess(config, env)
  const platform = await createPlatform(config)
  const server = await startServer(platform, port ?? config.port, env)
  output.write(`bankbench API on ${server.url} (reference: ${server.url}/docs); data in ${config.home}\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.close()
  await platform.close()
  return 0
}
