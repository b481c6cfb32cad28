/**
 * Customer messages never reach the server log in clear: a classify request whose
 * message carries a card number and an e-mail address fails in every way a request
 * can (the model throws quoting its input, validation, malformed JSON), and every line
 * written to the console is checked.
 */
import { activateDeployment, benchmarkSpecSchema, createApiKey, listRunsOfBenchmark, registerDataset, submitBenchmark, type ArtifactStore, type Database, type LocalJobRunner } from '@bankbench/core'
import { piiInLines, RED_TEAM_SUITE } from '@bankbench/metrics'
import { ModelCache, type CachedModel, type IntentPredictor, type ServedModel } from '@bankbench/serving'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../app'
import { openTestApi, readProblem, type TestApi } from '../testing'

const MESSAGE = 'my card 4111 1111 1111 1111 was charged twice, write to jane.doe@example.com'
const SECRETS = ['4111', 'jane.doe']

/** A served model whose runtime fails quoting the message, as a tokenizer or runtime error might. */
class QuotingModelCache extends ModelCache {
  override async get(_db: Database, _store: ArtifactStore, runId: string): Promise<CachedModel> {
    const predictor: IntentPredictor = {
      runtime: 'engine',
      labels: ['a', 'b'],
      predict: (texts) => Promise.reject(new Error(`the tokenizer rejected "${texts[0]}"`)),
      dispose: () => Promise.resolve(),
    }
    const model: ServedModel = { runId, method: 'lora', modelSha256: '0'.repeat(64), predictor, merged: false, backend: 'engine' }
    return { model, loadMs: 0, coldStart: false }
  }
}

describe('classify keeps customer text out of the log', () => {
  let api: TestApi
  let key: string

  beforeAll(async () => {
    api = await openTestApi()
    const { db, store, queue } = api.platform
    const examples = Array.from({ length: 8 }, (_, index) => ({ text: `message ${index}`, label: index % 2 ? 'a' : 'b' }))
    await registerDataset(db, store, { id: 'tiny', name: 'tiny', source: 'upload', splits: { labels: ['a', 'b'], train: examples, validation: examples, test: examples } })
    const { benchmark } = await submitBenchmark({ db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({ dataset: 'tiny', arms: [{ method: 'majority' }] }))
    await (queue as LocalJobRunner).idle()
    const [run] = await listRunsOfBenchmark(db, benchmark.id)
    await activateDeployment(db, {
      stage: 'prod', runId: run!.id, modelSha256: '0'.repeat(64), calibration: {}, smokeCheck: {},
      settings: { outOfScopeThreshold: 0.5, topK: 2, targetFalseRejectRate: 0.05 },
    })
    key = (await createApiKey(db, 'prod')).key
  }, 60_000)
  afterAll(async () => api?.close())
  afterEach(() => vi.restoreAllMocks())

  const classify = (body: string) => createApp(api.platform, new QuotingModelCache()).request('/v1/classify', {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body,
  })

  it('logs a failure of the model with the message redacted, and answers a generic 500', async () => {
    const logged = captureConsole()
    const response = await classify(JSON.stringify({ stage: 'prod', text: MESSAGE }))
    const { body } = await readProblem(response)
    expect(response.status).toBe(500)
    expect(body.detail).not.toContain('4111')
    expect(logged.lines()).toContain('the tokenizer rejected "my card [CARD] was charged twice, write to [EMAIL]"')
    for (const secret of SECRETS) expect(logged.lines()).not.toContain(secret)
  })

  it.each([
    ['a message over the length limit', JSON.stringify({ stage: 'prod', text: `${MESSAGE} ${'x'.repeat(2000)}` })],
    ['a body that is not JSON', `{"stage": "prod", "text": "${MESSAGE}"`],
    ['an unknown stage', JSON.stringify({ stage: 'nowhere', text: MESSAGE })],
  ])('refuses %s without logging or echoing the message', async (_case, requestBody) => {
    const logged = captureConsole()
    const response = await classify(requestBody)
    const { body } = await readProblem(response)
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    for (const secret of SECRETS) expect(JSON.stringify(body)).not.toContain(secret)
    expect(logged.lines()).toBe('')
  })

  // The banking rubric's noPiiInLogs check (docs/rubrics.md) end to end: each red-team message with PII, through the classify path failing on it.
  it.each(RED_TEAM_SUITE.filter((testCase) => testCase.pii).map((testCase) => [testCase.id, testCase] as const))('logs none of the PII of red-team message %s', async (_id, testCase) => {
    const logged = captureConsole()
    const response = await classify(JSON.stringify({ stage: 'prod', text: testCase.text }))
    expect(response.status).toBe(500)
    const lines = logged.lines().split('\n')
    expect(lines.join('\n')).toContain('the tokenizer rejected')
    for (const pii of testCase.pii!) expect(piiInLines(lines, pii), pii).toBe(false)
  })
})

/** Silences the console and gives back everything written to it. */
function captureConsole() {
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => vi.spyOn(console, method).mockImplementation(() => {}))
  return { lines: () => spies.flatMap((spy) => spy.mock.calls.map((call) => call.map(String).join(' '))).join('\n') }
}
