/**
 * Serving end to end: a tiny backbone is pretrained and a LoRA run trained through
 * the real local job runner, deployed over HTTP (smoke check, calibration), and its
 * test messages classified through POST /v1/classify with API keys.
 */
import { benchmarkSpecSchema, listRunsOfBenchmark, registerDataset, submitBenchmark, type LocalJobRunner, type RunRow } from '@bankbench/core'
import { loadServedModel } from '@bankbench/serving'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInferenceApp } from '../inference'
import { openTestApi, readProblem, type TestApi } from '../testing'
import { TINY_BACKBONE, tinyIntentSplits } from '../../../../test/fixtures/tiny-intents'

const TEST = tinyIntentSplits().test

describe('deployments and classify', () => {
  let api: TestApi
  let lora: RunRow
  let majority: RunRow
  let loraBenchmarkId: string
  let majorityBenchmarkId: string
  let pretrainBenchmarkId: string
  let pretrain: RunRow
  let prodKey: string
  let stagingKey: string

  const submit = async (spec: object) => {
    const { benchmark } = await submitBenchmark({ db: api.platform.db, queue: api.platform.queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({ dataset: 'intents', ...spec }))
    await (api.platform.queue as LocalJobRunner).idle()
    return { benchmarkId: benchmark.id, runs: await listRunsOfBenchmark(api.platform.db, benchmark.id) }
  }
  const classify = (body: object, key = prodKey, path = '/v1/classify') => api.postJson(path, body, { authorization: `Bearer ${key}` })

  beforeAll(async () => {
    api = await openTestApi()
    await registerDataset(api.platform.db, api.platform.store, {
      id: 'intents', name: 'intents', source: 'upload',
      splits: tinyIntentSplits(),
    })
    const pretrained = await submit({
      arms: [{ method: 'mlm-pretrain', config: TINY_BACKBONE }],
      protocol: { epochs: 2, timeoutSeconds: 120 },
    })
    pretrainBenchmarkId = pretrained.benchmarkId
    pretrain = pretrained.runs[0]!
    const trained = await submit({ baseModel: 'local-backbone', arms: [{ method: 'lora', config: { batch_size: 4, max_length: 16, learning_rate: 0.005, r: 4 } }], protocol: { epochs: 3, timeoutSeconds: 120 },
      // A tiny model on 16 examples meets no production criterion: loose ones, but for an impossible training time, so it misses exactly one.
      constraints: { minAccuracy: 0, minParameterReduction: 1, maxLatencyMs: 10_000, maxGpuMemoryBytes: 64 * 1024 ** 3, maxTrainingSeconds: 0.001 },
    })
    loraBenchmarkId = trained.benchmarkId
    lora = trained.runs[0]!
    const baselines = await submit({ arms: [{ method: 'majority' }] })
    majority = baselines.runs[0]!
    majorityBenchmarkId = baselines.benchmarkId
    prodKey = (await (await api.postJson('/v1/api-keys', { stage: 'prod' })).json() as { key: string }).key
    stagingKey = (await (await api.postJson('/v1/api-keys', { stage: 'staging' })).json() as { key: string }).key
  }, 120_000)
  afterAll(async () => api?.close())

  it('trained the runs it serves', () => {
    expect([lora.status, lora.error, majority.status]).toEqual(['succeeded', null, 'succeeded'])
  })

  it('refuses to switch to a run without a classifier: the stage keeps nothing deployed', async () => {
    const response = await api.postJson('/v1/deployments', { stage: 'prod', runId: pretrain.id })
    const { body } = await readProblem(response)
    expect(response.status).toBe(409)
    expect(body.detail).toContain('classifier.json')
    expect((await api.app.request('/v1/deployments/prod')).status).toBe(404)
  })

  let first: { id: string; modelVersion: string; calibration: { threshold: number; curve: unknown[]; assumption: string }; smokeCheck: { passed: boolean; loadMs: number } }
  it('deploys a run after the smoke check, with a calibrated out-of-scope threshold', async () => {
    const response = await api.postJson('/v1/deployments', { stage: 'prod', runId: lora.id, settings: { topK: 2 } })
    first = await response.json() as typeof first
    expect(response.status).toBe(201)
    expect(first).toMatchObject({ status: 'active', runId: lora.id, smokeCheck: { passed: true, mergedLora: true }, settings: { topK: 2, targetFalseRejectRate: 0.05 } })
    expect(first.modelVersion).toMatch(new RegExp(`^${lora.id}@sha256:[0-9a-f]{64}$`))
    expect(first.calibration.curve).toHaveLength(21)
    expect(first.calibration.assumption).toContain('misclassified')
    console.info(`tiny LoRA model: load (cold start) ${first.smokeCheck.loadMs.toFixed(0)} ms`)
  })

  it('classifies the test messages as the engine does, giving back the run\'s test accuracy', async () => {
    const response = await classify({ stage: 'prod', texts: TEST.map((row) => row.text) }, prodKey, '/v1/classify/batch')
    const body = await response.json() as { results: { intent: string; confidence: number; topIntents: unknown[]; outOfScope: boolean }[]; deploymentId: string; modelVersion: string; latencyMs: number }
    expect(response.status).toBe(200)
    expect(body).toMatchObject({ deploymentId: first.id, modelVersion: first.modelVersion })
    expect(response.headers.get('x-cold-start')).toBe('false')

    const engine = await loadServedModel(api.platform.db, api.platform.store, lora.id, { merge: false, runtime: 'engine' })
    const expected = await engine.predictor.predict(TEST.map((row) => row.text))
    await engine.predictor.dispose()
    expect(body.results.map((result) => result.intent)).toEqual(expected.map((prediction) => prediction.label))
    const accuracy = body.results.filter((result, index) => result.intent === TEST[index]!.label).length / TEST.length
    expect(accuracy).toBeCloseTo(lora.summary!.accuracy as number, 10)
    for (const result of body.results) {
      expect(result.topIntents).toHaveLength(2)
      expect(result.outOfScope).toBe(result.confidence < first.calibration.threshold)
    }

    const single = await classify({ stage: 'prod', text: TEST[0]!.text })
    const one = await single.json() as { intent: string; latencyMs: number }
    expect(one.intent).toBe(expected[0]!.label)
    console.info(`tiny LoRA model: one query ${one.latencyMs.toFixed(1)} ms, batch of ${TEST.length} ${body.latencyMs.toFixed(1)} ms`)
  })

  it('serves the same classification from the inference Lambda app, which loads the model on its first request', async () => {
    const inference = createInferenceApp(() => Promise.resolve(api.platform))
    const request = () => inference.request('/v1/classify', {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${prodKey}` }, body: JSON.stringify({ stage: 'prod', text: TEST[1]!.text }),
    })
    const cold = await request()
    const warm = await request()
    expect([cold.headers.get('x-cold-start'), warm.headers.get('x-cold-start')]).toEqual(['true', 'false'])
    const [coldBody, warmBody] = await Promise.all([cold.json(), warm.json()]) as { intent: string; latencyMs: number }[]
    expect(warmBody!.intent).toBe(coldBody!.intent)
    expect(await classify({ stage: 'prod', text: TEST[1]!.text }).then((response) => response.json())).toMatchObject({ intent: coldBody!.intent })
    expect((await inference.request('/v1/benchmarks')).status).toBe(404)
    console.info(`inference app: cold start ${cold.headers.get('x-model-load-ms')} ms load, first request ${coldBody!.latencyMs.toFixed(1)} ms, warm ${warmBody!.latencyMs.toFixed(1)} ms`)
  })

  it('requires an API key of the stage', async () => {
    const cases: [Record<string, string>, number][] = [
      [{}, 401],
      [{ authorization: 'Bearer bb_not-a-key' }, 401],
      [{ authorization: `Bearer ${stagingKey}` }, 403],
    ]
    for (const [headers, status] of cases) {
      const response = await api.postJson('/v1/classify', { stage: 'prod', text: 'hello' }, headers)
      const { contentType, body } = await readProblem(response)
      expect([response.status, contentType, body.status]).toEqual([status, 'application/problem+json', status])
    }
  })

  it('limits the size of what it classifies', async () => {
    expect((await classify({ stage: 'prod', text: 'x'.repeat(2001) })).status).toBe(400)
    expect((await classify({ stage: 'prod', texts: Array.from({ length: 65 }, () => 'hi') }, prodKey, '/v1/classify/batch')).status).toBe(400)
    expect((await classify({ stage: 'prod', text: 'x'.repeat(300_000) })).status).toBe(413)
  })

  it('refuses to deploy the recommendation of a benchmark with no run that can be served, saying why', async () => {
    const response = await api.postJson('/v1/deployments', { stage: 'staging', benchmarkId: pretrainBenchmarkId, recommended: true })
    const { body } = await readProblem(response)
    expect(response.status).toBe(409)
    expect(body.detail).toMatch(/pretraining runs are never candidates/)
    expect((await api.app.request('/v1/deployments/staging')).status).toBe(404)
  })

  it('deploys a baseline the recommendation names, and classifies through it as through an engine run', async () => {
    const response = await api.postJson('/v1/deployments', { stage: 'staging', benchmarkId: majorityBenchmarkId, recommended: true })
    expect(response.status).toBe(201)
    const deployed = await response.json() as { runId: string; smokeCheck: { passed: boolean; backend: string; mergedLora: boolean }; recommendation: { method: string; isBest: boolean } }
    expect(deployed).toMatchObject({ runId: majority.id, smokeCheck: { passed: true, backend: 'in-process', mergedLora: false }, recommendation: { method: 'majority', isBest: true } })
    const classified = await classify({ stage: 'staging', text: TEST[0]!.text }, stagingKey)
    const body = await classified.json() as { intent: string; confidence: number; topIntents: { intent: string; score: number }[]; outOfScope: boolean; latencyMs: number }
    expect(classified.status).toBe(200)
    // The majority baseline answers its one label with its training share, whatever the message.
    expect(body).toMatchObject({ intent: expect.any(String), confidence: 0.25, topIntents: [{ intent: body.intent, score: 0.25 }], outOfScope: false, latencyMs: expect.any(Number) })
  })

  it('keeps the history and rolls back to the previous deployment in one call', async () => {
    // No run meets every criterion: the recommendation still deploys the closest one and says what it misses.
    const second = await api.postJson('/v1/deployments', { stage: 'prod', benchmarkId: loraBenchmarkId, recommended: true, settings: { outOfScopeThreshold: 0.9 } })
    const secondBody = await second.json() as { id: string; runId: string; previousDeploymentId: string; detail?: string; recommendation: unknown }
    expect(secondBody.detail).toBeUndefined()
    expect(second.status).toBe(201)
    expect(secondBody).toMatchObject({ runId: lora.id, previousDeploymentId: first.id })
    expect(secondBody.recommendation).toMatchObject({
      benchmarkId: loraBenchmarkId, method: 'lora', meetsAll: false, missedCriteria: ['maxTrainingSeconds'], misses: [expect.stringMatching(/^training time .* > /)], isBest: true,
    })
    expect(first).not.toHaveProperty('recommendation')

    const history = await (await api.app.request('/v1/deployments?stage=prod')).json() as { items: { id: string; status: string }[] }
    expect(history.items.map((item) => [item.id, item.status])).toEqual([[secondBody.id, 'active'], [first.id, 'superseded']])

    const rollback = await api.app.request('/v1/deployments/prod/rollback', { method: 'POST' })
    expect(rollback.status).toBe(200)
    expect(await rollback.json()).toMatchObject({ id: first.id, status: 'active' })
    expect(await (await classify({ stage: 'prod', text: 'I lost my card' })).json()).toMatchObject({ deploymentId: first.id })
    const active = await (await api.app.request('/v1/deployments/prod')).json() as { id: string; serving: { loadMs: number | null } }
    expect(active.id).toBe(first.id)
    expect(active.serving.loadMs).toBeGreaterThan(0)

    const again = await api.app.request('/v1/deployments/prod/rollback', { method: 'POST' })
    expect(again.status).toBe(409)
  })
})
