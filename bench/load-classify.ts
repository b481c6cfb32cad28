/**
 * A bounded load test of the local server's classify endpoint on loopback:
 *   npx tsx bench/load-classify.ts [--connections 8] [--duration 20] [--warmup 3]
 *                                  [--run <run id>] [--pretrain-epochs 3] [--epochs 3] [--train-subset 5000]
 * Without --run it is self-contained: a fresh embedded platform in a temporary
 * BANKBENCH_HOME, where the real local job runner trains the demo's LoRA model (the
 * `demo` preset's recipe: a local backbone of the engine's PRETRAIN_DEFAULTS
 * shape, 2 layers, hidden 64, 64 tokens, pretrained for 3 epochs on a 5,000-row
 * Banking77 training subset, then LoRA for 3 epochs on it): a minute or two of
 * training. With --run it serves that run from the home the environment names
 * (BANKBENCH_HOME, default .bankbench), on the stage `load-test`.
 *
 * The run is deployed (POST /v1/deployments: smoke check, calibration), an API key is
 * created (POST /v1/api-keys), and autocannon, in a process of its own
 * (bench/load-client.ts) so that this process's CPU time is the server's, sends
 * POST /v1/classify over loopback with the
 * Banking77 test messages in turn (one per request). Two peers answer the same
 * requests on the same server and app (node-server, Hono, request id, JSON body) in the
 * same run, with a canned copy of a real classify response: `lookups` after the
 * database work the classify route does per request (the API key, the stage's active
 * deployment), so that the model's share is the difference; `canned` without it, the
 * HTTP stack's ceiling. Exits non-zero when any side had an error, a timeout or a
 * non-2xx answer.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  apiKeyFromAuthorization, benchmarkSpecSchema, createPlatform, findApiKey, getActiveDeployment, listRunsOfBenchmark, loadBanking77, loadConfig, submitBenchmark,
  type LocalJobRunner, type Platform, type RunRow,
} from '@bankbench/core'
import { serve } from '@hono/node-server'
import type autocannon from 'autocannon'
import { createApp, operatorAccess } from '@bankbench/api'

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '8' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    run: { type: 'string' },
    'pretrain-epochs': { type: 'string', default: '3' },
    epochs: { type: 'string', default: '3' },
    'train-subset': { type: 'string', default: '5000' },
  },
})
const connections = Number(values.connections)
const durationSeconds = Number(values.duration)
const warmupSeconds = Number(values.warmup)
const STAGE = 'load-test'
const PEER_PATHS = { lookups: '/bench/lookups-then-canned', canned: '/bench/canned' }

const loadAverage = () => loadavg().map((load) => load.toFixed(1)).join(' / ')
console.log(`Load average ${loadAverage()} on ${cpus().length} cores: wall times and throughput stretch on a shared machine`)

const home = values.run ? undefined : mkdtempSync(join(tmpdir(), 'bankbench-load-'))
const platform = await createPlatform(home ? loadConfig({ BANKBENCH_HOME: home }) : loadConfig())
try {
  process.exitCode = await loadTest(platform, values.run ?? await trainRun(platform))
} finally {
  await platform.close()
  if (home) rmSync(home, { recursive: true, force: true })
}

/** The demo's local backbone, then a LoRA run on it, through the real local job runner. */
async function trainRun(platform: Platform): Promise<string> {
  const trainSubset = Number(values['train-subset'])
  const submit = async (spec: object): Promise<RunRow> => {
    const started = performance.now()
    const { benchmark } = await submitBenchmark({ db: platform.db, queue: platform.queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({ dataset: 'banking77', ...spec }))
    await (platform.queue as LocalJobRunner).idle()
    const [run] = await listRunsOfBenchmark(platform.db, benchmark.id)
    if (run?.status !== 'succeeded') throw new Error(`the ${run?.method} run did not succeed: ${run?.status} ${run?.error ?? ''}`)
    console.log(`  ${run.method}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return run
  }
  console.log(`Training in a temporary home: mlm-pretrain ${values['pretrain-epochs']} epoch(s), then LoRA ${values.epochs} epoch(s), both on ${trainSubset} Banking77 training rows`)
  await submit({ arms: [{ method: 'mlm-pretrain', config: { epochs: Number(values['pretrain-epochs']) } }], protocol: { trainSubset } })
  const lora = await submit({
    arms: [{ method: 'lora' }],
    protocol: { epochs: Number(values.epochs), trainSubset, testSet: 'sample500' },
    // A model trained for a minute or two meets no production criterion, and none is needed to serve it.
    constraints: { minAccuracy: 0 },
  })
  console.log(`  LoRA test accuracy (500-message sample) ${((lora.summary?.accuracy as number) * 100).toFixed(1)}%`)
  return lora.id
}

async function loadTest(platform: Platform, runId: string): Promise<number> {
  const app = createApp(platform, undefined, { access: operatorAccess(platform.config) })
  let canned = ''
  app.post(PEER_PATHS.lookups, async (c) => {
    const { stage } = await c.req.json<{ stage: string }>()
    await findApiKey(platform.db, apiKeyFromAuthorization(c.req.header('authorization')))
    await getActiveDeployment(platform.db, stage)
    return c.body(canned, 200, { 'Content-Type': 'application/json' })
  })
  app.post(PEER_PATHS.canned, async (c) => {
    await c.req.json()
    return c.body(canned, 200, { 'Content-Type': 'application/json' })
  })
  const server = await new Promise<{ url: string; close(): Promise<void> }>((resolve) => {
    const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({
      url: `http://127.0.0.1:${info.port}`,
      close: () => new Promise<void>((done, fail) => listening.close((error) => (error ? fail(error) : done()))),
    }))
  })
  try {
    const admin: Record<string, string> = platform.config.adminApiKeys[0] ? { authorization: `Bearer ${platform.config.adminApiKeys[0]}` } : {}
    const deployment = await postJson(`${server.url}/v1/deployments`, { stage: STAGE, runId }, admin) as { modelVersion: string; smokeCheck: { loadMs: number; backend?: string; mergedLora?: boolean } }
    const { key } = await postJson(`${server.url}/v1/api-keys`, { stage: STAGE }, admin) as { key: string }
    const texts = loadBanking77().test.map((example) => example.text)
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` }
    canned = JSON.stringify(await postJson(`${server.url}/v1/classify`, { stage: STAGE, text: texts[0] }, headers))
    console.log(`Serving ${deployment.modelVersion} on ${server.url}: model load ${deployment.smokeCheck.loadMs.toFixed(0)} ms, backend ${deployment.smokeCheck.backend ?? '?'}, LoRA merged ${deployment.smokeCheck.mergedLora ?? '?'}`)
    console.log(`autocannon ${connections} connections, ${durationSeconds} s per side after ${warmupSeconds} s of warm-up, ${texts.length} Banking77 test messages in turn\n`)

    const bodies = texts.map((text) => ({ body: JSON.stringify({ stage: STAGE, text }) }))
    const client = fork(fileURLToPath(new URL('./load-client.ts', import.meta.url)), { execArgv: ['--import', 'tsx'] })
    const sides: Side[] = []
    try {
      for (const [name, path] of [['POST /v1/classify', '/v1/classify'], ['peer: lookups, canned answer', PEER_PATHS.lookups], ['peer: canned answer', PEER_PATHS.canned]] as const) {
        sides.push(await measure(client, name, { url: `${server.url}${path}`, method: 'POST', headers, requests: bodies, connections }))
      }
    } finally {
      client.disconnect()
    }
    printTable(sides)
    const failures = sides.filter((side) => side.result.errors + side.result.timeouts + side.result.non2xx > 0 || side.result.requests.total === 0)
    for (const side of failures) console.error(`FAILED: ${side.name} had ${side.result.errors} errors, ${side.result.timeouts} timeouts, ${side.result.non2xx} non-2xx of ${side.result.requests.total} requests`)
    console.log(`\nLoad average at the end ${loadAverage()}`)
    return failures.length === 0 ? 0 : 1
  } finally {
    await server.close()
  }
}

async function postJson(url: string, body: object, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const payload = await response.json() as unknown
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(payload)}`)
  return payload
}

interface Side {
  name: string
  result: autocannon.Result
  /** Share of the wall time the server's event loop (this process's main thread) was busy. */
  serverBusy: number
  /** This process's CPU time (every thread: the server, PGlite, the model's runtime) per request. */
  serverCpuMsPerRequest: number
}

/** A warm-up run, then the timed one, by the client process; the server's share is measured around the timed one. */
async function measure(client: ChildProcess, name: string, options: autocannon.Options): Promise<Side> {
  await runClient(client, { ...options, duration: warmupSeconds })
  const busyBefore = performance.eventLoopUtilization()
  const cpuBefore = process.cpuUsage()
  const result = await runClient(client, { ...options, duration: durationSeconds })
  const cpu = process.cpuUsage(cpuBefore)
  return {
    name, result,
    serverBusy: performance.eventLoopUtilization(busyBefore).utilization,
    serverCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(result.requests.total, 1),
  }
}

function runClient(client: ChildProcess, options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the autocannon client exited with code ${code}`))
    client.once('exit', onExit)
    client.once('message', (result) => {
      client.off('exit', onExit)
      resolve(result as autocannon.Result)
    })
    client.send(options)
  })
}

function printTable(sides: Side[]): void {
  const [model, ...peers] = sides as [Side, ...Side[]]
  // [label, value, decimals, whether a ratio means something]. autocannon records latencies in whole milliseconds.
  const rows: [string, (side: Side) => number, number, boolean][] = [
    ['throughput req/s (mean)', (side) => side.result.requests.average, 1, true],
    ['latency mean ms', (side) => side.result.latency.average, 2, true],
    ['latency p50 ms', (side) => side.result.latency.p50, 0, true],
    ['latency p90 ms', (side) => side.result.latency.p90, 0, true],
    ['latency p99 ms', (side) => side.result.latency.p99, 0, true],
    ['latency max ms', (side) => side.result.latency.max, 0, true],
    ['requests', (side) => side.result.requests.total, 0, false],
    ['errors + timeouts', (side) => side.result.errors + side.result.timeouts, 0, false],
    ['non-2xx', (side) => side.result.non2xx, 0, false],
    ['server CPU ms per request', (side) => side.serverCpuMsPerRequest, 2, true],
    ['server event loop busy %', (side) => side.serverBusy * 100, 1, false],
  ]
  console.log(`| | ${sides.map((side) => side.name).join(' | ')} | ${peers.map((peer) => `classify / ${peer.name.replace('peer: ', '')}`).join(' | ')} |`)
  console.log(`| --- |${' --- |'.repeat(sides.length + peers.length)}`)
  for (const [label, value, decimals, hasRatio] of rows) {
    const ratios = peers.map((peer) => (hasRatio && value(peer) > 0 ? `${(value(model) / value(peer)).toFixed(2)}x` : ''))
    console.log(`| ${label} | ${sides.map((side) => value(side).toFixed(decimals)).join(' | ')} | ${ratios.join(' | ')} |`)
  }
}
