/**
 * Reliability of the platform as a user runs it (`npm start`), in one bounded run:
 *   npx tsx bench/reliability.ts [--clients 20] [--trials 10] [--fuzz 2000] [--targets pglite,postgres]
 *
 * For each database target (the embedded PGlite default, and the local Postgres at
 * 127.0.0.1:5432 when it answers) a server process is started on a fresh home and:
 *  1. setup: a tiny intents dataset is uploaded, a backbone pretrained and a LoRA model
 *     trained, deployed and given an API key, all through the API;
 *  2. concurrency: N clients at once each submit a benchmark (random + majority, 3
 *     seeds) and classify while it runs; every answer must be 2xx and every run end
 *     succeeded, with job and benchmark statuses consistent with their runs;
 *  3. faults: T trials, each submitting a benchmark and then killing (-9), at a random
 *     moment, either the server (restarted at once) or one of its job processes; no run
 *     may be lost, stuck, failed or duplicated (metric points, artifacts of a stale attempt);
 *  4. fuzzing: schema-driven requests from openapi.yaml (packages/api/src/fuzz.ts) over
 *     HTTP; no 5xx, and the server still healthy.
 * Prints one table; exits non-zero if any check failed. Traffic goes to loopback only.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { seededRandom } from '@bankbench/data'
import fc from 'fast-check'
import pg from 'pg'
import { parse } from 'yaml'
import { setting } from '@bankbench/settings'
import { operationsOf, RequestGenerator, type OpenApiDocument } from '@bankbench/api/fuzz'
import { TINY_BACKBONE, TINY_INTENTS } from '../test/fixtures/tiny-intents'

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    trials: { type: 'string', default: '10' },
    fuzz: { type: 'string', default: '2000' },
    targets: { type: 'string', default: 'pglite,postgres' },
    seed: { type: 'string', default: '7' },
  },
})
const CLIENTS = Number(args.clients)
const TRIALS = Number(args.trials)
const FUZZ_REQUESTS = Number(args.fuzz)
const POSTGRES_URL = setting('RELIABILITY_POSTGRES_URL')
const REPO = join(import.meta.dirname, '..')
let random = seededRandom(Number(args.seed))

interface Figures {
  target: string
  concurrency: { clients: number; benchmarks: number; runs: number; classifyRequests: number; errors: string[]; inconsistent: string[]; seconds: number }
  faults: { trials: number; serverKills: number; jobKills: number; runs: number; lost: string[]; stuck: string[]; failed: string[]; duplicated: string[]; seconds: number }
  fuzz: { requests: number; fiveHundreds: string[]; healthyAfter: boolean; seconds: number }
}

// ---------------------------------------------------------------------------- server

class ServerProcess {
  process!: ChildProcess
  url!: string
  restarts = 0

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const port = await freePort()
    this.url = `http://127.0.0.1:${port}`
    this.process = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/start.ts')], {
      cwd: REPO, env: { ...process.env, ...this.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    this.process.stderr!.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000) })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start in 120 s:\n${output}`)), 120_000)
      this.process.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('bankbench API on')) {
          clearTimeout(timer)
          resolve()
        }
      })
      this.process.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)))
    })
    this.process.stdout!.resume()
  }

  /** kill -9, then a new server on the same home and database. */
  async crashAndRestart(): Promise<void> {
    const exited = new Promise((resolve) => this.process.once('exit', resolve))
    this.process.kill('SIGKILL')
    await exited
    this.restarts++
    await this.start()
  }

  /** The server's job processes (the local runner's children). */
  jobPids(): number[] {
    try {
      return execFileSync('pgrep', ['-P', String(this.process.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number)
    } catch {
      return []
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return
    const exited = new Promise((resolve) => this.process.once('exit', resolve))
    this.process.kill('SIGTERM')
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url + path, {
      method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    })
  }

  async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const response = await this.request(method, path, body, headers)
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`)
    return JSON.parse(text) as T
  }
}

// ---------------------------------------------------------------------------- API shapes

interface Benchmark { id: string; status: string }
interface RunSummary { id: string; status: string; jobId: string | null; attempt: number; error?: string | null }
interface Run extends RunSummary { series: Record<string, { step: number | null; epoch: number | null }[]>; artifacts: { name: string; key: string }[] }
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled'])

async function runsOf(server: ServerProcess, benchmarkId: string): Promise<RunSummary[]> {
  return (await server.json<{ items: RunSummary[] }>('GET', `/v1/benchmarks/${benchmarkId}/runs`)).items
}

/** Polls until every benchmark is terminal or the deadline passes; the ids still active are returned. */
async function waitTerminal(server: ServerProcess, ids: string[], deadlineMs: number): Promise<string[]> {
  let pending = [...ids]
  while (pending.length > 0 && Date.now() < deadlineMs) {
    const statuses = await Promise.all(pending.map((id) => server.json<Benchmark>('GET', `/v1/benchmarks/${id}`).catch(() => ({ id, status: 'unreachable' }))))
    pending = statuses.filter((benchmark) => !TERMINAL.has(benchmark.status)).map((benchmark) => benchmark.id)
    if (pending.length > 0) await sleep(500)
  }
  return pending
}

/** What is wrong with a finished benchmark: run count, statuses, roll-ups, duplicates. */
async function checkBenchmark(server: ServerProcess, id: string, plannedRuns: number): Promise<{ lost: string[]; failed: string[]; inconsistent: string[]; duplicated: string[] }> {
  const problems = { lost: [] as string[], failed: [] as string[], inconsistent: [] as string[], duplicated: [] as string[] }
  const benchmark = await server.json<Benchmark>('GET', `/v1/benchmarks/${id}`)
  const runs = await runsOf(server, id)
  if (runs.length !== plannedRuns) problems.lost.push(`${id}: ${runs.length} runs of ${plannedRuns}`)
  for (const run of runs) if (run.status !== 'succeeded') problems.failed.push(`${run.id} ${run.status}: ${run.error ?? ''}`.slice(0, 300))
  const expected = runs.every((run) => run.status === 'succeeded') ? 'succeeded' : benchmark.status
  if (benchmark.status !== expected) problems.inconsistent.push(`${id} is ${benchmark.status} with runs ${runs.map((run) => run.status).join(',')}`)
  for (const jobId of new Set(runs.map((run) => run.jobId).filter((jobId): jobId is string => jobId !== null))) {
    const job = await server.json<{ status: string }>('GET', `/v1/jobs/${jobId}`)
    const members = runs.filter((run) => run.jobId === jobId).map((run) => run.status)
    if (members.every((status) => status === 'succeeded') && job.status !== 'succeeded') problems.inconsistent.push(`job ${jobId} is ${job.status}, its runs succeeded`)
  }
  for (const summary of runs) {
    const run = await server.json<Run>('GET', `/v1/runs/${summary.id}`)
    for (const [name, points] of Object.entries(run.series)) {
      const keys = points.map((point) => `${point.step}/${point.epoch}`)
      if (new Set(keys).size !== keys.length) problems.duplicated.push(`${run.id}: metric ${name} has repeated points`)
    }
    for (const artifact of run.artifacts) {
      if (artifact.key.includes('/attempt-') && !artifact.key.includes(`/attempt-${run.attempt}/`)) problems.duplicated.push(`${run.id}: artifact ${artifact.name} of a stale attempt (${artifact.key}, run at attempt ${run.attempt})`)
    }
  }
  return problems
}

// ---------------------------------------------------------------------------- phases

let datasetId = ''
const BASELINE_SPEC = (name: string, seeds: number[]) => ({ name, dataset: datasetId, arms: [{ method: 'random' }, { method: 'majority' }], protocol: { seeds } })

async function setUp(server: ServerProcess): Promise<{ authorization: string; texts: string[] }> {
  const csv = ['text,label,split', ...Object.entries(TINY_INTENTS).flatMap(([label, texts]) => texts.map((text, i) => `${text},${label},${i < 4 ? 'train' : i === 4 ? 'validation' : 'test'}`))].join('\n')
  const dataset = await server.json<{ id: string }>('POST', '/v1/datasets?name=intents', csv, { 'content-type': 'text/csv' })
  datasetId = dataset.id
  const submit = async (body: object) => {
    const benchmark = await server.json<Benchmark>('POST', '/v1/benchmarks', { dataset: dataset.id, ...body })
    const active = await waitTerminal(server, [benchmark.id], Date.now() + 300_000)
    const runs = await runsOf(server, benchmark.id)
    if (active.length > 0 || runs.some((run) => run.status !== 'succeeded')) throw new Error(`setup benchmark ${benchmark.id} did not succeed: ${JSON.stringify(runs)}`)
    return runs
  }
  await submit({ name: 'backbone', arms: [{ method: 'mlm-pretrain', config: TINY_BACKBONE }], protocol: { epochs: 2, timeoutSeconds: 300 } })
  const [lora] = await submit({
    name: 'model', arms: [{ method: 'lora', config: { batch_size: 4, max_length: 16, learning_rate: 0.005, r: 4 } }], protocol: { epochs: 3, timeoutSeconds: 300 },
    constraints: { minAccuracy: 0, minParameterReduction: 1, maxLatencyMs: 10_000 },
  })
  await server.json('POST', '/v1/deployments', { stage: 'reliability', runId: lora!.id })
  const { key } = await server.json<{ key: string }>('POST', '/v1/api-keys', { stage: 'reliability' })
  return { authorization: `Bearer ${key}`, texts: Object.values(TINY_INTENTS).flat() }
}

async function concurrency(server: ServerProcess, setup: { authorization: string; texts: string[] }): Promise<Figures['concurrency']> {
  const started = Date.now()
  const errors: string[] = []
  let classifyRequests = 0
  const ids: string[] = []
  await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
    try {
      const benchmark = await server.json<Benchmark>('POST', '/v1/benchmarks', BASELINE_SPEC(`client ${client}`, [1, 2, 3]), { 'idempotency-key': `client-${client}-${started}` })
      ids.push(benchmark.id)
      // While its benchmark runs, the client classifies and watches its progress.
      for (let i = 0; i < 25; i++) {
        const text = setup.texts[(client * 25 + i) % setup.texts.length]!
        const response = await server.request('POST', '/v1/classify', { stage: 'reliability', text }, { authorization: setup.authorization })
        classifyRequests++
        if (response.status !== 200) errors.push(`classify: ${response.status} ${(await response.text()).slice(0, 200)}`)
        else await response.arrayBuffer()
        if (i % 5 === 0) await server.json('GET', `/v1/benchmarks/${benchmark.id}`)
      }
    } catch (error) {
      errors.push(String(error).slice(0, 300))
    }
  }))
  const stuck = await waitTerminal(server, ids, Date.now() + 15 * 60_000)
  const inconsistent = stuck.map((id) => `${id} still active after 15 minutes`)
  let runs = 0
  for (const id of ids) {
    const problems = await checkBenchmark(server, id, 6)
    runs += (await runsOf(server, id)).length
    inconsistent.push(...problems.lost, ...problems.failed, ...problems.inconsistent, ...problems.duplicated)
  }
  return { clients: CLIENTS, benchmarks: ids.length, runs, classifyRequests, errors, inconsistent, seconds: (Date.now() - started) / 1000 }
}

async function faults(server: ServerProcess): Promise<Figures['faults']> {
  const started = Date.now()
  const figures: Figures['faults'] = { trials: TRIALS, serverKills: 0, jobKills: 0, runs: 0, lost: [], stuck: [], failed: [], duplicated: [], seconds: 0 }
  for (let trial = 0; trial < TRIALS; trial++) {
    const benchmark = await server.json<Benchmark>('POST', '/v1/benchmarks', BASELINE_SPEC(`trial ${trial}`, [1, 2]))
    // A random moment: while queued, while a job process starts or runs, or after.
    await sleep(Math.floor(random() * 4000))
    const jobs = server.jobPids()
    if (trial % 2 === 0 || jobs.length === 0) {
      await server.crashAndRestart()
      figures.serverKills++
    } else {
      process.kill(jobs[Math.floor(random() * jobs.length)]!, 'SIGKILL')
      figures.jobKills++
    }
    const stuck = await waitTerminal(server, [benchmark.id], Date.now() + 5 * 60_000)
    figures.stuck.push(...stuck.map((id) => `${id} (trial ${trial}) still active after 5 minutes`))
    if (stuck.length > 0) continue
    const problems = await checkBenchmark(server, benchmark.id, 4)
    figures.runs += (await runsOf(server, benchmark.id)).length
    figures.lost.push(...problems.lost)
    figures.failed.push(...problems.failed, ...problems.inconsistent)
    figures.duplicated.push(...problems.duplicated)
  }
  figures.seconds = (Date.now() - started) / 1000
  return figures
}

async function fuzz(server: ServerProcess, setup: { authorization: string }): Promise<Figures['fuzz']> {
  const started = Date.now()
  const document = parse(readFileSync(join(REPO, 'openapi.yaml'), 'utf8')) as OpenApiDocument
  // Benchmarks the fuzzer submits do start jobs; they end with the server after this phase.
  const operations = operationsOf(document)
  const generator = new RequestGenerator(document, {
    params: { id: ['banking77', datasetId], stage: ['reliability', 'prod'] },
    slowWithRealIds: (operation) => /\/report|\/events/.test(operation.path),
    authorizations: [setup.authorization],
  })
  const perOperation = Math.ceil(FUZZ_REQUESTS / operations.length)
  const fiveHundreds: string[] = []
  let requests = 0
  for (const [index, operation] of operations.entries()) {
    for (const request of fc.sample(generator.requests(operation), { seed: 99 + index, numRuns: perOperation })) {
      try {
        const response = await fetch(server.url + request.url, {
          method: request.method, headers: request.headers, signal: AbortSignal.timeout(30_000),
          ...(request.body !== undefined && request.method !== 'GET' ? { body: request.body } : {}),
        })
        requests++
        if (response.status >= 500) fiveHundreds.push(`${request.method} ${operation.path} [${request.kind}]: ${response.status} ${(await response.text()).slice(0, 200)}`)
        else await response.arrayBuffer()
      } catch (error) {
        // A request the client itself cannot send (a forbidden header) is not the server's fault; a dead server is.
        if (!(error instanceof TypeError) || server.process.exitCode !== null) fiveHundreds.push(`${request.method} ${operation.path}: ${String(error).slice(0, 200)}`)
      }
    }
  }
  const health = await server.request('GET', '/health').catch(() => undefined)
  return { requests, fiveHundreds, healthyAfter: health?.status === 200, seconds: (Date.now() - started) / 1000 }
}

// ---------------------------------------------------------------------------- main

async function runTarget(target: string): Promise<Figures | undefined> {
  random = seededRandom(Number(args.seed))
  const home = mkdtempSync(join(tmpdir(), `bankbench-reliability-${target}-`))
  const env: Record<string, string> = { BANKBENCH_HOME: home, BANKBENCH_CONCURRENCY: '2', BANKBENCH_JOB_ATTEMPTS: '2' }
  let dropDatabase: (() => Promise<void>) | undefined
  if (target === 'postgres') {
    const name = `bankbench_reliability_${Date.now()}`
    const admin = new pg.Client({ connectionString: POSTGRES_URL })
    try {
      await admin.connect()
    } catch (error) {
      console.log(`postgres: skipped, ${POSTGRES_URL} does not answer (${String(error)})`)
      return undefined
    }
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = new URL(POSTGRES_URL)
    url.pathname = `/${name}`
    env.DATABASE_URL = url.toString()
    dropDatabase = async () => {
      const cleanup = new pg.Client({ connectionString: POSTGRES_URL })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleanup.end()
    }
  }
  const server = new ServerProcess(env)
  try {
    await server.start()
    console.log(`${target}: server on ${server.url}; setting up (pretrain, LoRA, deploy)…`)
    const setup = await setUp(server)
    console.log(`${target}: ${CLIENTS} concurrent clients…`)
    const concurrencyFigures = await concurrency(server, setup)
    console.log(`${target}: ${TRIALS} kill -9 trials…`)
    const faultFigures = await faults(server)
    console.log(`${target}: fuzzing with ${FUZZ_REQUESTS} requests…`)
    const fuzzFigures = await fuzz(server, setup)
    return { target, concurrency: concurrencyFigures, faults: faultFigures, fuzz: fuzzFigures }
  } finally {
    await server.stop()
    await dropDatabase?.()
    rmSync(home, { recursive: true, force: true })
  }
}

function report(all: Figures[]): boolean {
  let ok = true
  const line = (label: string, value: string, good: boolean) => {
    ok &&= good
    console.log(`  ${good ? 'ok  ' : 'FAIL'} ${label.padEnd(34)} ${value}`)
  }
  const list = (items: string[]) => (items.length === 0 ? '0' : `${items.length}: ${items.slice(0, 3).join(' | ')}`)
  console.log(`\nreliability (load average ${loadavg().map((load) => load.toFixed(1)).join(' ')})`)
  for (const figures of all) {
    const { concurrency: c, faults: f, fuzz: z } = figures
    console.log(`\n${figures.target}`)
    line('concurrent clients', `${c.clients} clients, ${c.benchmarks} benchmarks, ${c.runs} runs, ${c.classifyRequests} classify requests, ${c.seconds.toFixed(0)} s`, c.benchmarks === c.clients)
    line('  errors (non-2xx, failed requests)', list(c.errors), c.errors.length === 0)
    line('  runs not terminal+consistent', list(c.inconsistent), c.inconsistent.length === 0)
    line('kill -9 trials', `${f.trials} (${f.serverKills} server, ${f.jobKills} job process), ${f.runs} runs, ${f.seconds.toFixed(0)} s`, f.trials >= 1)
    line('  runs lost', list(f.lost), f.lost.length === 0)
    line('  runs stuck', list(f.stuck), f.stuck.length === 0)
    line('  runs failed or inconsistent', list(f.failed), f.failed.length === 0)
    line('  runs duplicated', list(f.duplicated), f.duplicated.length === 0)
    line('fuzzed requests', `${z.requests} sent, ${z.seconds.toFixed(0)} s`, z.requests > 0)
    line('  5xx seen', list(z.fiveHundreds), z.fiveHundreds.length === 0)
    line('  healthy afterwards', String(z.healthyAfter), z.healthyAfter)
  }
  return ok
}

const results: Figures[] = []
for (const target of args.targets.split(',')) {
  const figures = await runTarget(target.trim())
  if (figures) results.push(figures)
}
const ok = report(results)
process.exit(ok && results.length > 0 ? 0 : 1)

// ---------------------------------------------------------------------------- helpers

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}
