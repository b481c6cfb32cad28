/**
 * `npm start`: the API on the embedded stack (PGlite + files + local job runner),
 * or on whatever DATABASE_URL / BANKBENCH_ARTIFACTS point at.
 */
import { createPlatform, loadConfig } from '@bankbench/core'
import { operatorAccess, startServer } from '@bankbench/api'

const config = loadConfig()
// Local mode (loopback, Host and Origin checked) unless operator keys are set; a deployed configuration without them stops here.
operatorAccess(config)
const platform = await createPlatform(config)
const server = await startServer(platform, config.port)
console.log(`bankbench API on ${server.url} (reference: ${server.url}/docs); data in ${config.home}`)

const shutdown = async () => {
  await server.close()
  await platform.close()
  process.exit(0)
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
