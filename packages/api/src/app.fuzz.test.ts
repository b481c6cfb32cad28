/**
 * Schema-driven fuzzing of the whole API, in-process: every operation in
 * openapi.yaml gets generated requests (valid-ish and broken bodies, hostile path
 * and query parameters and headers, malformed JSON, wrong content types, deep
 * nesting, huge values) — FUZZ_REQUESTS in all, 10,500 by default, from FUZZ_SEED.
 * Nothing may answer 5xx, every 4xx must be a problem+json, the server must still
 * answer /health afterwards, and the heap must not grow without bound. Jobs are
 * accepted but never run (`HeldJobQueue`), so nothing trains.
 */
import { readFileSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { setting } from '@bankbench/settings'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { operationsOf, RequestGenerator, toJson, type FuzzRequest, type OpenApiDocument, type Operation, type Schema } from './fuzz'
import { openTestApi, readProblem, type TestApi } from './testing'

const TOTAL_REQUESTS = setting('FUZZ_REQUESTS')
const SEED = setting('FUZZ_SEED')
/**
 * Generous: what the heap still holds after a full collection, once every request
 * has been answered (bounded caches, the database's pages), against before. A
 * leak of even a small part of each request's body would pass it many times over.
 */
const MAX_HEAP_GROWTH_BYTES = 256 * 1024 ** 2
const REQUEST_TIMEOUT_MS = 15_000

const document = parse(readFileSync(new URL('../../../openapi.yaml', import.meta.url), 'utf8')) as OpenApiDocument
const operations = operationsOf(document)

let api: TestApi
let generator: RequestGenerator
/** `Bearer <key>` of a real key for stage prod. */
let authorization: string

beforeAll(async () => {
  api = await openTestApi({ runJobs: false })
  // Real things for some of the path parameters: a queued benchmark (its jobs held), its run and job, an API key.
  const benchmark = await (await api.postJson('/v1/benchmarks', { name: 'fuzz target', arms: [{ method: 'majority' }] })).json() as { id: string }
  const runs = await (await api.app.request(`/v1/benchmarks/${benchmark.id}/runs`)).json() as { items: { id: string; jobId: string }[] }
  // One key to classify with; another whose id the fuzzer may revoke.
  authorization = `Bearer ${(await (await api.postJson('/v1/api-keys', { stage: 'prod' })).json() as { key: string }).key}`
  const key = await (await api.postJson('/v1/api-keys', { stage: 'prod' })).json() as { id: string }
  generator = new RequestGenerator(document, {
    params: { id: [benchmark.id, runs.items[0]!.id, runs.items[0]!.jobId, 'banking77', key.id], stage: ['prod', 'staging'] },
    // A report renders charts (and the PDF starts Chromium); an event stream of a queued benchmark lasts maxSeconds.
    slowWithRealIds: (operation) => /\/report|\/events/.test(operation.path),
    authorizations: [authorization],
  })
})
afterAll(async () => { await api?.close() })

/** The heap in use after a full garbage collection (the flag is set at run time, so no --expose-gc is needed). */
function liveHeapBytes(): number {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

interface Failure { request: string; status: number; problem: string; count: number }

function describeRequest(request: FuzzRequest): string {
  const body = typeof request.body === 'string' ? request.body : request.body ? '(multipart form)' : '(none)'
  return `${request.method} ${request.url.slice(0, 300)} [${request.kind}] headers ${JSON.stringify(request.headers).slice(0, 300)} body ${JSON.stringify(body.slice(0, 400))}${body.length > 400 ? ` (${body.length} chars)` : ''}`
}

async function send(request: FuzzRequest): Promise<Response> {
  const init: RequestInit = { method: request.method, headers: request.headers }
  if (request.body !== undefined && request.method !== 'GET') init.body = request.body
  const built = new Request(new URL(request.url, 'http://localhost'), init)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS) })
  try {
    return await Promise.race([api.app.request(built), timeout])
  } finally {
    clearTimeout(timer)
  }
}

describe('the API under schema-driven fuzzing', () => {
  it(`answers ${TOTAL_REQUESTS} generated requests without a 5xx, every 4xx a problem+json, and stays healthy`, async () => {
    const perOperation = Math.ceil(TOTAL_REQUESTS / operations.length)
    const failures = new Map<string, Failure>()
    const record = (operation: Operation, request: FuzzRequest, status: number, problem: string) => {
      const key = `${operation.method} ${operation.path} ${status} ${problem.slice(0, 120)}`
      const seen = failures.get(key)
      if (seen) seen.count++
      else failures.set(key, { request: describeRequest(request), status, problem: problem.slice(0, 500), count: 1 })
    }
    const statuses: Record<string, number> = {}
    let sent = 0
    const heapBefore = liveHeapBytes()
    const started = performance.now()

    const slowest: [string, number][] = []
    for (const [index, operation] of operations.entries()) {
      const operationStarted = performance.now()
      const requests = fc.sample(generator.requests(operation), { seed: SEED + index, numRuns: perOperation })
      for (const request of requests) {
        let response: Response
        try {
          response = await send(request)
        } catch (error) {
          record(operation, request, 0, `the request failed: ${error instanceof Error ? error.message : String(error)}`)
          continue
        }
        sent++
        statuses[response.status] = (statuses[response.status] ?? 0) + 1
        if (response.status >= 500) {
          record(operation, request, response.status, await response.text())
        } else if (response.status >= 400) {
          const text = await response.text()
          const contentType = response.headers.get('content-type') ?? ''
          let problem: { status?: unknown; detail?: unknown } = {}
          try {
            problem = JSON.parse(text) as typeof problem
          } catch { /* reported below */ }
          if (!contentType.startsWith('application/problem+json') || problem.status !== response.status || typeof problem.detail !== 'string' || problem.detail === '') {
            record(operation, request, response.status, `not a problem+json: ${contentType} ${text}`)
          }
        } else {
          await response.arrayBuffer()
        }
      }
      slowest.push([`${operation.method} ${operation.path}`, (performance.now() - operationStarted) / 1000])
    }

    const seconds = (performance.now() - started) / 1000
    const heapGrowth = liveHeapBytes() - heapBefore
    console.log(`fuzzed ${operations.length} operations with ${sent} requests (seed ${SEED}) in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(statuses)}; heap +${(heapGrowth / 1024 ** 2).toFixed(0)} MiB; `
      + `slowest: ${slowest.sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(', ')}`)

    const health = await api.app.request('/health')
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', database: { reachable: true } })
    expect([...failures.values()]).toEqual([])
    expect(sent).toBeGreaterThanOrEqual(Math.min(TOTAL_REQUESTS, 10_000))
    expect(heapGrowth).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
  }, 240_000)

  it('refuses an unknown key in every strict JSON body with a 400 that names it', async () => {
    const strict = operations.filter((operation) => {
      const schema = operation.requestBody?.content['application/json']?.schema
      return schema && resolve(schema).additionalProperties === false
    })
    expect(strict.map((operation) => `${operation.method} ${operation.path}`)).toEqual(expect.arrayContaining(['POST /v1/benchmarks', 'POST /v1/deployments', 'POST /v1/classify', 'POST /v1/classify/batch']))
    for (const operation of strict) {
      const schema = resolve(operation.requestBody!.content['application/json']!.schema!)
      const [valid] = fc.sample(generator.valid(schema), { seed: SEED, numRuns: 1 })
      const body = { ...(valid as Record<string, unknown>), unknownKey: 1 }
      const path = operation.path.replace(/\{[^}]+\}/g, 'x')
      const response = await api.app.request(path, {
        method: operation.method,
        headers: { 'content-type': 'application/json', ...(operation.security?.length ? { authorization } : {}) },
        body: toJson(body),
      })
      const problem = await readProblem(response)
      expect.soft(problem.body.status, `${operation.method} ${operation.path}`).toBe(400)
      expect.soft(problem.body.detail, `${operation.method} ${operation.path}`).toContain("unknown key 'unknownKey' in the body")
    }
  })
})

function resolve(schema: Schema): Schema {
  return typeof schema.$ref === 'string' ? resolve(document.components!.schemas![schema.$ref.replace('#/components/schemas/', '')]!) : schema
}
