import { availableParallelism } from 'node:os'
import { createApp } from '@bankbench/api'
import { createBankbenchClient, type BankbenchClient, type BankbenchClientOptions } from '@bankbench/client'
import { createPlatform, loadConfig } from '@bankbench/core'
import { isSet, setting } from '@bankbench/settings'

/**
 * The event stream (`GET /v1/benchmarks/{id}/events`) is asked to end after this
 * long; the follower then reconnects with Last-Event-ID, so no metric point is lost
 * or repeated.
 */
export const STREAM_SECONDS = 300

/** Any other request: submitting, reading a benchmark, rendering a report (HTML, or PDF through Chromium). */
const REQUEST_TIMEOUT_MS = 120_000

/**
 * The bankbench API as the CLI uses it: the typed client of @bankbench/client, over
 * HTTP or into an app in this process; the same requests and errors either way.
 */
export interface CliClient {
  /** Where requests go, for messages: a URL or "embedded stack in <home>". */
  describe: string
  /** Every route but the event stream, its answers typed as JSON. */
  api: BankbenchClient<'application/json'>
  /** The event stream only: its requests last up to STREAM_SECONDS, and the follower reconnects on its own instead of retrying. */
  events: BankbenchClient
  close(): Promise<void>
}

/** A client of a running server (`bankbench start`, or a deployed API with its operator key, BANKBENCH_API_KEY). */
export function httpClient(baseUrl: string, apiKey = setting('BANKBENCH_API_KEY')): CliClient {
  return clientOver({ baseUrl, ...(apiKey ? { apiKey } : {}) }, baseUrl, async () => {})
}

/**
 * Job processes at once on the CLI's embedded stack (BANKBENCH_CONCURRENCY wins): two on a
 * machine with two cores or more, each with half the cores (the runner's nativeThreadsPerJob).
 * Much of a training step is single-threaded wasm, so two one-thread jobs on two cores get
 * through more than one two-thread job at a time: 1.24x the throughput on an idle 2-core
 * machine (`npx tsx bench/job-concurrency.ts`: four LoRA jobs in 45.6 s against 56.6 s).
 */
const EMBEDDED_CONCURRENCY = Math.min(2, availableParallelism())

/**
 * A client of an embedded stack opened in this process: PGlite, files and the local
 * job runner under BANKBENCH_HOME, the API app answering the client's requests
 * without a port (`app.request`). Job processes still run as children and write
 * through the database socket.
 */
export async function embeddedClient(env: Record<string, string | undefined> = process.env): Promise<CliClient> {
  const config = loadConfig(isSet('BANKBENCH_CONCURRENCY', env) ? env : { ...env, BANKBENCH_CONCURRENCY: String(EMBEDDED_CONCURRENCY) })
  const platform = await createPlatform(config)
  const app = createApp(platform)
  // localhost: the app runs in local mode, which answers loopback host names only. No network, so nothing to retry.
  const transport = { baseUrl: 'http://localhost', fetch: async (request: Request) => app.request(request), retries: 0 }
  return clientOver(transport, `embedded stack in ${config.home}`, () => platform.close())
}

function clientOver(options: BankbenchClientOptions, describe: string, close: () => Promise<void>): CliClient {
  return {
    describe,
    api: createBankbenchClient<'application/json'>({ timeoutMs: REQUEST_TIMEOUT_MS, ...options }),
    events: createBankbenchClient({ ...options, timeoutMs: (STREAM_SECONDS + 60) * 1000, retries: 0 }),
    close,
  }
}
