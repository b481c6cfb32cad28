/**
 * The trainer container end to end, through the real local job runner and the real
 * entrypoint (containers/trainer/entrypoint.ts, the runner's default command): an
 * mlm-pretrain run publishes a tiny local backbone, then lora and full runs
 * fine-tune it, stream their loss, save their adapter or model, and report the
 * summary every run reports.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, FsArtifactStore, listRunArtifacts, listRunMetrics, listRunsOfBenchmark, LocalJobRunner, openDatabase,
  registerDataset, submitBenchmark, type DatabaseHandle,
} from '@bankbench/core'
import { TINY_BACKBONE, tinyIntentSplits } from './fixtures/tiny-intents'

const TINY_TRAINING = { batch_size: 4, max_length: 16, learning_rate: 0.005 }

describe('train and pretrain jobs through the local runner', () => {
  let database: DatabaseHandle
  let store: FsArtifactStore
  let directory: string
  let queue: LocalJobRunner

  beforeAll(async () => {
    database = await openDatabase()
    directory = mkdtempSync(join(tmpdir(), 'bankbench-train-e2e-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    await registerDataset(database.db, store, {
      id: 'intents', name: 'intents', source: 'upload',
      splits: tinyIntentSplits(),
    })
    queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs') })
  })
  afterAll(async () => {
    await queue.close()
    await database.close()
    rmSync(directory, { recursive: true, force: true })
  })

  const submit = async (spec: object) => {
    const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({ dataset: 'intents', ...spec }))
    await queue.idle()
    return listRunsOfBenchmark(database.db, benchmark.id)
  }
  const metricNames = async (runId: string) => new Set((await listRunMetrics(database.db, runId)).map((point) => point.name))
  const artifactNames = async (runId: string) => (await listRunArtifacts(database.db, runId)).map((artifact) => artifact.name).sort()

  it('a train run without a backbone fails, telling the user to pretrain first', async () => {
    const [run] = await submit({ arms: [{ method: 'lora', config: TINY_TRAINING }], protocol: { epochs: 1, timeoutSeconds: 60 } })
    expect(run).toMatchObject({ status: 'failed', error: expect.stringContaining('mlm-pretrain') })
  })

  it('mlm-pretrain publishes the local backbone, then lora and full fine-tune it', async () => {
    const [pretrainRun] = await submit({ arms: [{ method: 'mlm-pretrain', config: TINY_BACKBONE }], protocol: { epochs: 3, timeoutSeconds: 120 } })
    expect(pretrainRun!.error).toBeNull()
    expect(pretrainRun).toMatchObject({ status: 'succeeded', summary: { epochsCompleted: 3, stepsCompleted: 12, validationMlmLoss: expect.any(Number), backend: 'wasm' } })
    expect(await metricNames(pretrainRun!.id)).toEqual(new Set(['train_loss', 'learning_rate', 'epoch_train_loss', 'validation_loss', 'validation_accuracy']))
    expect(await store.list('models/local-backbone/')).toEqual(['config.json', 'model.safetensors', 'recipe.json', 'summary.json', 'tokenizer.json'].map((name) => `models/local-backbone/${name}`))
    expect(await artifactNames(pretrainRun!.id)).toEqual(['model/config.json', 'model/model.safetensors', 'model/tokenizer.json'])

    const runs = await submit({
      arms: [{ method: 'lora', config: { ...TINY_TRAINING, r: 4 } }, { method: 'full', config: TINY_TRAINING }],
      protocol: { epochs: 3, timeoutSeconds: 120 },
    })
    expect(runs.map((run) => [run.method, run.status, run.error])).toEqual([['lora', 'succeeded', null], ['full', 'succeeded', null]])
    for (const run of runs) {
      expect(run.summary).toMatchObject({
        accuracy: expect.any(Number), macroF1: expect.any(Number), validationAccuracy: expect.any(Number), latencyP50Ms: expect.any(Number),
        epochsCompleted: 3, stepsCompleted: 12, stoppedEarly: false, trainableParameters: expect.any(Number), backend: 'wasm',
      })
      expect(run.environment).toMatchObject({ backend: { name: 'wasm' } })
      expect(await metricNames(run.id)).toEqual(new Set(['train_loss', 'learning_rate', 'epoch_train_loss', 'validation_loss', 'validation_accuracy']))
      expect(await store.exists(`runs/${run.id}/checkpoint/trainer-state.safetensors`)).toBe(true)
    }
    const [lora, full] = runs
    expect(lora!.summary!.trainableRatio).toBeLessThan(0.5)
    expect(full!.summary!.trainableRatio).toBe(1)
    expect(await artifactNames(lora!.id)).toEqual(['adapter/adapter_config.json', 'adapter/adapter_model.safetensors', 'classifier.json'])
    expect(await artifactNames(full!.id)).toEqual(['classifier.json', 'model/config.json', 'model/model.safetensors', 'model/tokenizer.json'])
  })

  it('a second mlm-pretrain run with the same recipe reuses the published backbone', async () => {
    const before = await store.get('models/local-backbone/model.safetensors')
    const [again] = await submit({ arms: [{ method: 'mlm-pretrain', config: TINY_BACKBONE }], protocol: { epochs: 3, timeoutSeconds: 120 } })
    expect(again).toMatchObject({ status: 'succeeded', summary: { reused: true, epochsCompleted: 3 } })
    expect(Buffer.compare(await store.get('models/local-backbone/model.safetensors'), before)).toBe(0)
  })
})
