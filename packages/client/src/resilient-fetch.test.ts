import { afterEach, describe, expect, it } from 'vitest'
import { BankbenchApiError, BankbenchTimeoutError, BankbenchUnavailableError, createBankbenchClient, type BankbenchClientOptions } from './index'
import { backoffMs, retryAfterMs } from './resilient-fetch'
import { closeScriptedServers, json, neverAnswers, problem, scriptedServer, urlWhereNothingListens } from './testing'

afterEach(closeScriptedServers)

const datasetPage = json(200, { items: [], nextCursor: null })

const FAST: Omit<BankbenchClientOptions, 'baseUrl'> = { timeoutMs: 2_000, retries: 2, baseDelayMs: 10, maxDelayMs: 2_000 }

describe('retries', () => {
  it('retries a 503 and returns the answer that follows', async () => {
    const peer = await scriptedServer(problem(503, 'warming up'), datasetPage)
    const { data } = await createBankbenchClient({ baseUrl: peer.url, ...FAST }).GET('/v1/datasets')
    expect(data).toEqual({ items: [], nextCursor: null })
    expect(peer.received.map((request) => request.url)).toEqual(['/v1/datasets', '/v1/datasets'])
  })

  it('waits as long as a 429 Retry-After asks', async () => {
    const peer = await scriptedServer(problem(429, 'slow down', { 'retry-after': '1' }), datasetPage)
    const started = performance.now()
    await createBankbenchClient({ baseUrl: peer.url, ...FAST }).GET('/v1/datasets')
    expect(performance.now() - started).toBeGreaterThanOrEqual(990)
    expect(peer.received).toHaveLength(2)
  })

  it('gives up at once when Retry-After is longer than maxDelayMs, with the 429 problem', async () => {
    const peer = await scriptedServer(problem(429, 'come back in an hour', { 'retry-after': '3600' }), datasetPage)
    const error = await createBankbenchClient({ baseUrl: peer.url, ...FAST }).GET('/v1/datasets').catch((thrown: unknown) => thrown)
    expect(error).toMatchObject({ name: 'BankbenchApiError', status: 429, problem: { detail: 'come back in an hour' } })
    expect(peer.received).toHaveLength(1)
  })

  it('throws the last problem once the retries are spent', async () => {
    const peer = await scriptedServer(problem(503, 'still down'))
    const error = await createBankbenchClient({ baseUrl: peer.url, ...FAST }).GET('/v1/datasets').catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(BankbenchApiError)
    expect(error).toMatchObject({ status: 503, problem: { title: 'Test problem', detail: 'still down' } })
    expect(peer.received).toHaveLength(1 + FAST.retries!)
  })

  it('replays a POST body on 503, but does not repeat a POST that failed with 500', async () => {
    const body = { name: 'retried', arms: [{ method: 'majority' as const }] }
    const overloaded = await scriptedServer(problem(503, 'busy'), json(202, { id: 'bm_1' }))
    await createBankbenchClient({ baseUrl: overloaded.url, ...FAST }).POST('/v1/benchmarks', { body })
    expect(overloaded.received.map((request) => JSON.parse(request.body))).toEqual([body, body])

    const broken = await scriptedServer(problem(500, 'half done?'), json(202, { id: 'bm_1' }))
    await expect(createBankbenchClient({ baseUrl: broken.url, ...FAST }).POST('/v1/benchmarks', { body })).rejects.toMatchObject({ status: 500 })
    expect(broken.received).toHaveLength(1)
  })

  it('repeats a POST that failed with 500 when it carries an Idempotency-Key', async () => {
    const peer = await scriptedServer(problem(500, 'half done?'), json(202, { id: 'bm_1' }))
    const { data } = await createBankbenchClient({ baseUrl: peer.url, ...FAST }).POST('/v1/benchmarks', {
      body: { arms: [{ method: 'majority' }] },
      params: { header: { 'idempotency-key': 'retry-me' } },
    })
    expect(data.id).toBe('bm_1')
    expect(peer.received.map((request) => request.headers['idempotency-key'])).toEqual(['retry-me', 'retry-me'])
  })
})

describe('failures without a usable answer', () => {
  it('times out each attempt, then throws BankbenchTimeoutError', async () => {
    const peer = await scriptedServer(neverAnswers)
    const started = performance.now()
    const error = await createBankbenchClient({ baseUrl: peer.url, ...FAST, timeoutMs: 300, retries: 1 }).GET('/v1/datasets').catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(BankbenchTimeoutError)
    expect(error).toMatchObject({ timeoutMs: 300, attempts: 2 })
    expect(performance.now() - started).toBeGreaterThanOrEqual(600)
    expect(peer.received).toHaveLength(2)
  })

  it('throws BankbenchUnavailableError when nothing listens', async () => {
    const error = await createBankbenchClient({ baseUrl: await urlWhereNothingListens(), ...FAST, retries: 1 }).GET('/v1/datasets').catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(BankbenchUnavailableError)
    expect(error).toMatchObject({ attempts: 2, message: expect.stringContaining('ECONNREFUSED') })
  })

  it('turns an error page that is not problem+json into a problem', async () => {
    const peer = await scriptedServer((response) => {
      response.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' })
      response.end('<h1>502 Bad Gateway</h1>')
    })
    const error = await createBankbenchClient({ baseUrl: peer.url, ...FAST, retries: 0 }).GET('/v1/datasets').catch((thrown: unknown) => thrown)
    expect(error).toMatchObject({ status: 502, problem: { type: 'about:blank', title: 'Bad Gateway', status: 502, detail: '<h1>502 Bad Gateway</h1>' } })
  })
})

it('sends the API key as a bearer token', async () => {
  const peer = await scriptedServer(datasetPage)
  await createBankbenchClient({ baseUrl: peer.url, apiKey: 'bb_test_key' }).GET('/v1/datasets')
  expect(peer.received[0]?.headers.authorization).toBe('Bearer bb_test_key')
})

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('7')).toBe(7_000)
    expect(retryAfterMs('Wed, 25 Nov 2026 10:00:05 GMT', Date.parse('2026-11-25T10:00:00Z'))).toBe(5_000)
    expect(retryAfterMs('Wed, 25 Nov 2026 09:00:00 GMT', Date.parse('2026-11-25T10:00:00Z'))).toBe(0)
    expect(retryAfterMs(null)).toBeNull()
    expect(retryAfterMs('soon')).toBeNull()
  })
})

describe('backoffMs', () => {
  it('doubles its ceiling per attempt up to maxDelayMs, jittered below it', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000 }
    for (const [attempt, ceiling] of [[1, 100], [2, 200], [3, 400], [5, 1_000], [9, 1_000]] as const) {
      const delays = Array.from({ length: 200 }, () => backoffMs(policy, attempt))
      expect(Math.max(...delays)).toBeLessThanOrEqual(ceiling)
      expect(Math.max(...delays)).toBeGreaterThan(ceiling * 0.5)
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0)
    }
  })
})
