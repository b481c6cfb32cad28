/**
 * The baseline job end to end, through the real local job runner and the real trainer
 * entrypoint: the untuned base model's frozen features (frozen-probe, centroid) on a
 * tiny checkpoint given as a folder (and served from what they saved), and the LLM-API baseline against a real
 * OpenAI-compatible HTTP server on 127.0.0.1, then without an endpoint (skipped).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, FsArtifactStore, listRunArtifacts, listRunsOfBenchmark, LocalJobRunner, openDatabase, registerDataset, submitBenchmark,
  type DatabaseHandle, type LlmApiSummary,
} from '@bankbench/core'
import { saveTinyBert } from './fixtures/tiny-bert'
import { loadServedModel } from '@bankbench/serving'
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../packages/baselines/src/llm-api/testing/fake-openai-server'
import { tinyIntentExamples, tinyIntentSplits } from './fixtures/tiny-intents'

/** Keyword rules: a stand-in model that is right on every test query but "rate for yen", which it answers badly. */
const keywordModel = (query: string) => (query.includes('yen') ? 'no idea' : query.includes('card') ? 'Lost card' : query.includes('balance') || query.includes('left') ? 'balance' : query.includes('rate') ? 'exchange_rate' : 'transfer')

describe('baseline jobs through the local runner', () => {
  let database: DatabaseHandle
  let directory: string
  let store: FsArtifactStore
  let llm: FakeOpenAiServer

  beforeAll(async () => {
    database = await openDatabase()
    directory = mkdtempSync(join(tmpdir(), 'bankbench-baselines-e2e-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    await registerDataset(database.db, store, {
      id: 'intents', name: 'intents', source: 'upload',
      splits: { ...tinyIntentSplits(), test: tinyIntentExamples(4, 6) },
    })
    // A tiny untrained BERT (wide initialisation, so texts get distinct vectors) saved as an HF folder.
    await saveTinyBert(directory, tinyIntentExamples(0, 6).map((example) => example.text))
    llm = await startFakeOpenAiServer({ answer: keywordModel })
  })
  afterAll(async () => {
    await llm.close()
    await database.close()
    rmSync(directory, { recursive: true, force: true })
  })

  const submit = async (spec: object, env: Record<string, string> = {}) => {
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), env, concurrency: 2 })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({ dataset: 'intents', ...spec }))
      await queue.idle()
      return await listRunsOfBenchmark(database.db, benchmark.id)
    } finally {
      await queue.close()
    }
  }
  const artifactNames = async (runId: string) => (await listRunArtifacts(database.db, runId)).map((artifact) => artifact.name).sort()

  it('frozen-probe and centroid fit on the frozen base model and report what every run reports', async () => {
    const runs = await submit({
      baseModel: join(directory, 'base'),
      arms: [{ method: 'frozen-probe', config: { max_length: 16 } }, { method: 'centroid', config: { max_length: 16 } }],
      protocol: { timeoutSeconds: 120 },
    })
    expect(runs.map((run) => [run.method, run.status, run.error])).toEqual([['frozen-probe', 'succeeded', null], ['centroid', 'succeeded', null]])
    const [probe, centroid] = runs
    for (const run of runs) {
      expect(run.summary).toMatchObject({
        accuracy: expect.any(Number), macroF1: expect.any(Number), validationAccuracy: expect.any(Number), latencyP50Ms: expect.any(Number),
        latencyP95Ms: expect.any(Number), throughputPerSecond: expect.any(Number), trainSeconds: expect.any(Number), peakRssBytes: expect.any(Number),
        trainExamples: 16, featureDimension: 32, backend: 'wasm',
        relevanceScore: expect.any(Number), securityScore: expect.any(Number), rubric: { relevance: { mode: 'rubric' }, security: { mode: 'red-team', cases: 46 } },
      })
      expect(await artifactNames(run.id)).toEqual(['model.json'])
    }
    // Both are served from what they saved (model.json), through the frozen base model they name: the run's own test accuracy back.
    const test = tinyIntentExamples(4, 6)
    for (const run of runs) {
      const served = await loadServedModel(database.db, store, run.id)
      try {
        expect(served).toMatchObject({ method: run.method, merged: false, backend: expect.stringContaining('frozen') })
        const predictions = await served.predictor.predict(test.map((example) => example.text), { scores: true })
        const accuracy = predictions.filter((prediction, index) => prediction.label === test[index]!.label).length / test.length
        expect(accuracy, run.method).toBeCloseTo(run.summary!.accuracy as number, 10)
        expect(predictions[0]!.scores).toHaveLength(4)
      } finally {
        await served.predictor.dispose()
      }
    }
    expect(probe!.summary!.trainableParameters).toBe((32 + 1) * 4)
    expect(centroid!.summary!.trainableParameters).toBe(32 * 4)
    expect(probe!.summary!.trainableRatio).toBeLessThan(0.1)
  })

  it('llm-api scores a hosted model on a sample of the test split, with tokens and cost; without an endpoint it is skipped', async () => {
    const env = { BANKBENCH_LLM_BASE_URL: llm.baseUrl, BANKBENCH_LLM_API_KEY: 'sk-e2e-secret', BANKBENCH_LLM_MODEL: 'fake-model', BANKBENCH_LLM_SEND_CUSTOMER_TEXT: '1' }
    const [run] = await submit({
      arms: [{ method: 'llm-api', config: { max_queries: 6, few_shot_labels: 2, examples_per_label: 1, price_per_1k_input_tokens: 1, price_per_1k_output_tokens: 2 } }],
      protocol: { timeoutSeconds: 60 },
    }, env)
    expect(run!.error).toBeNull()
    expect(run).toMatchObject({
      status: 'succeeded',
      summary: {
        model: 'fake-model', trainableParameters: 0, trainExamples: 2, validationAccuracy: null,
        testSubset: { size: 6, of: 8, seed: run!.seed, indicesIn: 'queries.json' },
        promptTokens: expect.any(Number), completionTokens: expect.any(Number), costUsd: expect.any(Number), latencyP50Ms: expect.any(Number),
      },
      environment: { llmEndpoint: llm.baseUrl, llmModel: 'fake-model' },
    })
    const summary = run!.summary as LlmApiSummary
    expect(summary.costUsd).toBeCloseTo(summary.promptTokens! / 1000 + (summary.completionTokens! / 1000) * 2, 10)
    const yenSampled = summary.invalidAnswers === 1
    expect(summary.accuracy).toBeCloseTo(yenSampled ? 5 / 6 : 1, 10)
    expect(await artifactNames(run!.id)).toEqual(['queries.json'])
    expect(JSON.stringify(run)).not.toContain('sk-e2e-secret')
    // Not a deployable classifier: the banking rubric does not apply, and says why.
    expect(run!.summary).toMatchObject({ notApplicable: ['relevanceScore', 'securityScore'], rubric: { notApplicable: expect.stringContaining('cannot be deployed') } })

    const [skipped] = await submit({ arms: [{ method: 'llm-api' }], protocol: { timeoutSeconds: 60 } }, { BANKBENCH_LLM_BASE_URL: '', BANKBENCH_LLM_API_KEY: '', BANKBENCH_LLM_MODEL: '' })
    expect(skipped).toMatchObject({ status: 'succeeded', summary: { skipped: expect.stringContaining('BANKBENCH_LLM_BASE_URL') } })
    expect(skipped!.summary).not.toHaveProperty('accuracy')

    // A configured endpoint without the opt-in: skipped with the reason, and the endpoint never hears of the dataset.
    const requestsBefore = llm.requests.length
    const [withoutOptIn] = await submit({ arms: [{ method: 'llm-api' }], protocol: { timeoutSeconds: 60 } }, { ...env, BANKBENCH_LLM_SEND_CUSTOMER_TEXT: '' })
    expect(withoutOptIn).toMatchObject({ status: 'succeeded', summary: { skipped: expect.stringContaining('BANKBENCH_LLM_SEND_CUSTOMER_TEXT=1') } })
    expect(llm.requests.length).toBe(requestsBefore)
  })
})
