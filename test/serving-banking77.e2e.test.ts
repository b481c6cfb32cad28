/**
 * Serving the winner on Banking77, end to end: a LoRA run trained by the real local
 * job runner (on a small pretrained backbone, so that it takes seconds), deployed over
 * HTTP, and the run's own test messages classified through POST /v1/classify/batch.
 * The endpoint must return the engine's predictions, hence the run's test accuracy.
 */
import { MAX_BATCH_TEXTS } from '@bankbench/api'
import { openTestApi, type TestApi } from '@bankbench/api/testing'
import { benchmarkSpecSchema, listRunsOfBenchmark, loadBanking77, submitBenchmark, withTestSet, type LocalJobRunner, type RunRow } from '@bankbench/core'
import { loadServedModel } from '@bankbench/serving'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const TINY_BACKBONE = { vocab_size: 600, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_length: 32, batch_size: 64 }

describe('serving a Banking77 run', () => {
  let api: TestApi
  let run: RunRow

  const submit = async (spec: object) => {
    const { benchmark } = await submitBenchmark({ db: api.platform.db, queue: api.platform.queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({ dataset: 'banking77', ...spec }))
    await (api.platform.queue as LocalJobRunner).idle()
    return (await listRunsOfBenchmark(api.platform.db, benchmark.id))[0]!
  }

  beforeAll(async () => {
    api = await openTestApi()
    await submit({ arms: [{ method: 'mlm-pretrain', config: TINY_BACKBONE }], protocol: { epochs: 1, timeoutSeconds: 300 } })
    run = await submit({
      baseModel: 'local-backbone',
      arms: [{ method: 'lora', config: { batch_size: 32, max_length: 32, learning_rate: 0.01 } }],
      protocol: { epochs: 1, trainSubset: 1000, testSet: 'sample500', timeoutSeconds: 300 },
      constraints: { minAccuracy: 0, minParameterReduction: 1 },
    })
  }, 300_000)
  afterAll(async () => api?.close())

  it('returns the engine\'s predictions over HTTP, and so the run\'s test accuracy; rolls back', async () => {
    expect([run.status, run.error]).toEqual(['succeeded', null])
    const deployed = await api.postJson('/v1/deployments', { stage: 'dev', runId: run.id })
    expect(deployed.status).toBe(201)
    expect(await deployed.json()).toMatchObject({ smokeCheck: { passed: true, mergedLora: true, backend: 'onnxruntime' } })
    const { key } = await (await api.postJson('/v1/api-keys', { stage: 'dev' })).json() as { key: string }

    const test = withTestSet(loadBanking77(), 'sample500').test
    const intents: string[] = []
    for (let start = 0; start < test.length; start += MAX_BATCH_TEXTS) {
      const texts = test.slice(start, start + MAX_BATCH_TEXTS).map((row) => row.text)
      const response = await api.postJson('/v1/classify/batch', { stage: 'dev', texts }, { authorization: `Bearer ${key}` })
      expect(response.status).toBe(200)
      intents.push(...(await response.json() as { results: { intent: string }[] }).results.map((result) => result.intent))
    }
    const engine = await loadServedModel(api.platform.db, api.platform.store, run.id, { merge: false, runtime: 'engine' })
    const expected = await engine.predictor.predict(test.map((row) => row.text))
    await engine.predictor.dispose()
    expect(intents).toEqual(expected.map((prediction) => prediction.label))
    const accuracy = intents.filter((intent, index) => intent === test[index]!.label).length / test.length
    expect(accuracy).toBeCloseTo(run.summary!.accuracy as number, 10)

    // A second deployment of the same run, then back to the first in one call.
    const first = await (await api.app.request('/v1/deployments/dev')).json() as { id: string }
    expect((await api.postJson('/v1/deployments', { stage: 'dev', runId: run.id, settings: { topK: 5 } })).status).toBe(201)
    const rolledBack = await api.app.request('/v1/deployments/dev/rollback', { method: 'POST' })
    expect(await rolledBack.json()).toMatchObject({ id: first.id, status: 'active' })
  })
})
