/**
 * The trainer container end to end, through the real local job runner and the real
 * entrypoint (containers/trainer/entrypoint.ts, the runner's default command): a lora
 * run on the shipped bankbench-mini; an mlm-pretrain run publishes a tiny local backbone, then lora and full runs
 * fine-tune it, stream their loss, save their adapter or model, and report the
 * summary every run reports.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, FsArtifactStore, listRunArtifacts, listRunMetrics, listRunsOfBenchmark, LocalJobRunner, openDatabase,
  registerDataset, submitBenchmark, type DatabaseHandle, type RunRow,
} from '@bankbench/core'
import { ArtifactIntegrityError, resolveBaseModel } from '@bankbench/model-store'
import { loadServedModel } from '@bankbench/serving'
import { TINY_BACKBONE, tinyIntentSplits } from './fixtures/tiny-intents'

const TINY_TRAINING = { batch_size: 4, max_length: 16, learning_rate: 0.005 }

describe('train and pretrain jobs through the local runner', () => {
  let database: DatabaseHandle
  let store: FsArtifactStore
  let directory: string
  let queue: LocalJobRunner
  let pretrained: RunRow
  let trained: { lora: RunRow; full: RunRow }

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

  it('a benchmark with no pretrain arm trains on the shipped bankbench-mini, and records the exact version it used', async () => {
    const [run] = await submit({ arms: [{ method: 'lora', config: TINY_TRAINING }], protocol: { epochs: 1, timeoutSeconds: 120 } })
    expect(run).toMatchObject({ status: 'succeeded', summary: { baseModel: expect.stringMatching(/^bankbench-mini@[0-9a-f]{64}$/) } })
    const pinned = (run!.summary as { baseModel: string }).baseModel
    const classifier = (await listRunArtifacts(database.db, run!.id)).find((artifact) => artifact.name === 'classifier.json')!
    expect(JSON.parse(new TextDecoder().decode(await store.get(classifier.key)))).toMatchObject({ baseModel: pinned })
    expect(await store.exists(`models/base/bankbench-mini/${pinned.split('@')[1]}/manifest.json`)).toBe(true)
    const served = await loadServedModel(database.db, store, run!.id, { runtime: 'engine' })
    expect(served.method).toBe('lora')
    await served.predictor.dispose()
  }, 180_000)

  it('mlm-pretrain publishes the local backbone, then lora and full fine-tune it', async () => {
    const [pretrainRun] = await submit({ arms: [{ method: 'mlm-pretrain', config: TINY_BACKBONE }], protocol: { epochs: 3, timeoutSeconds: 120 } })
    expect(pretrainRun!.error).toBeNull()
    expect(pretrainRun).toMatchObject({ status: 'succeeded', summary: { epochsCompleted: 3, stepsCompleted: 12, validationMlmLoss: expect.any(Number), backend: 'wasm' } })
    expect(await metricNames(pretrainRun!.id)).toEqual(new Set(['train_loss', 'learning_rate', 'epoch_train_loss', 'validation_loss', 'validation_accuracy']))
    expect(await store.list('models/local-backbone/')).toEqual(['config.json', 'model.safetensors', 'provenance.json', 'recipe.json', 'summary.json', 'tokenizer.json'].map((name) => `models/local-backbone/${name}`))
    expect(JSON.parse(Buffer.from(await store.get('models/local-backbone/provenance.json')).toString())).toEqual({ runId: pretrainRun!.id })
    pretrained = pretrainRun!
    expect(await artifactNames(pretrainRun!.id)).toEqual(['model/config.json', 'model/model.safetensors', 'model/tokenizer.json'])

    const runs = await submit({
      baseModel: 'local-backbone',
      arms: [{ method: 'lora', config: { ...TINY_TRAINING, r: 4 } }, { method: 'full', config: TINY_TRAINING }],
      protocol: { epochs: 3, timeoutSeconds: 120 },
    })
    expect(runs.map((run) => [run.method, run.status, run.error])).toEqual([['lora', 'succeeded', null], ['full', 'succeeded', null]])
    for (const run of runs) {
      expect(run.summary).toMatchObject({
        accuracy: expect.any(Number), macroF1: expect.any(Number), validationAccuracy: expect.any(Number), latencyP50Ms: expect.any(Number),
        epochsCompleted: 3, stepsCompleted: 12, stoppedEarly: false, trainableParameters: expect.any(Number), backend: 'wasm',
        // The banking rubric (docs/rubrics.md): the tiny dataset's labels are not Banking77's, so the generic replies.
        relevanceScore: expect.any(Number), securityScore: expect.any(Number),
        rubric: { relevance: { mode: 'rubric', templates: 'generic', messages: expect.any(Number) }, security: { mode: 'red-team', suite: 'bankbench-red-team-v1', cases: 46 } },
      })
      for (const score of [run.summary!.relevanceScore!, run.summary!.securityScore!]) { expect(score).toBeGreaterThanOrEqual(0); expect(score).toBeLessThanOrEqual(10) }
      console.log(`${run.method}: relevance ${run.summary!.relevanceScore!.toFixed(2)}/10, security ${run.summary!.securityScore!.toFixed(2)}/10, accuracy ${(run.summary!.accuracy! * 100).toFixed(1)}%`)
      expect(run.environment).toMatchObject({ backend: { name: 'wasm' } })
      expect(await metricNames(run.id)).toEqual(new Set(['train_loss', 'learning_rate', 'epoch_train_loss', 'validation_loss', 'validation_accuracy']))
      expect(await store.exists(`runs/${run.id}/checkpoint/trainer-state.safetensors`)).toBe(true)
    }
    const [lora, full] = runs
    trained = { lora: lora!, full: full! }
    expect(lora!.summary!.trainableRatio).toBeLessThan(0.5)
    expect(full!.summary!.trainableRatio).toBe(1)
    expect(await artifactNames(lora!.id)).toEqual(['adapter/adapter_config.json', 'adapter/adapter_model.safetensors', 'classifier.json'])
    expect(await artifactNames(full!.id)).toEqual(['classifier.json', 'model/config.json', 'model/model.safetensors', 'model/tokenizer.json'])
  })

  describe('weights are loaded only as their run recorded them (sha256 in run_artifacts)', () => {
    const recordedSha256 = async (runId: string, name: string) => (await listRunArtifacts(database.db, runId)).find((artifact) => artifact.name === name)!
    /** Flips one byte of a stored file for the length of `check`, then puts the original back. */
    const tampered = async (key: string, check: () => Promise<void>) => {
      const original = await store.get(key)
      const changed = Uint8Array.from(original)
      changed[changed.length >> 1] = changed[changed.length >> 1]! ^ 0xff
      await store.put(key, changed)
      try {
        await check()
      } finally {
        await store.put(key, original)
      }
      return { actual: createHash('sha256').update(changed).digest('hex') }
    }

    it('serves an untampered run, refuses a changed adapter naming its key and both hashes', async () => {
      const served = await loadServedModel(database.db, store, trained.lora.id, { runtime: 'engine' })
      const adapter = await recordedSha256(trained.lora.id, 'adapter/adapter_model.safetensors')
      expect(served.modelSha256).toBe(adapter.sha256)
      await served.predictor.dispose()

      let refusal: unknown
      const { actual } = await tampered(adapter.key, async () => {
        refusal = await loadServedModel(database.db, store, trained.lora.id, { runtime: 'engine' }).catch((error: unknown) => error)
      })
      expect(refusal).toBeInstanceOf(ArtifactIntegrityError)
      expect(refusal).toMatchObject({ key: adapter.key, expectedSha256: adapter.sha256, actualSha256: actual, status: 409 })
      expect((refusal as Error).message).toBe(`artifact ${adapter.key} ('adapter/adapter_model.safetensors' of run ${trained.lora.id}) does not match its recorded sha256: ` +
        `expected ${adapter.sha256}, actual ${actual}; it was changed or corrupted after it was recorded, and is not loaded`)
    })

    it('refuses a full fine-tune whose model.safetensors changed', async () => {
      const model = await recordedSha256(trained.full.id, 'model/model.safetensors')
      await tampered(model.key, async () => {
        await expect(loadServedModel(database.db, store, trained.full.id, { runtime: 'engine' })).rejects.toThrow(`artifact ${model.key} ('model/model.safetensors' of run ${trained.full.id}) does not match its recorded sha256: expected ${model.sha256}`)
      })
      const served = await loadServedModel(database.db, store, trained.full.id, { runtime: 'engine' })
      expect(served.modelSha256).toBe(model.sha256)
      await served.predictor.dispose()
    })

    it('trains on the local backbone only while it is what its pretrain run recorded; a run trained on it keeps its own copy', async () => {
      const recorded = await recordedSha256(pretrained.id, 'model/model.safetensors')
      expect((await resolveBaseModel(store, 'local-backbone', database.db)).nameOrPath).toBe(`run:${pretrained.id}`)
      expect((trained.lora.summary as { baseModel: string }).baseModel).toBe(`run:${pretrained.id}`)
      const { actual } = await tampered('models/local-backbone/model.safetensors', async () => {
        await expect(resolveBaseModel(store, 'local-backbone', database.db)).rejects.toBeInstanceOf(ArtifactIntegrityError)
        // A run trained on it loads the pretrain run's recorded files, not the published copy: it is still served.
        const served = await loadServedModel(database.db, store, trained.lora.id, { runtime: 'engine' })
        await served.predictor.dispose()
        // A new train job on the local backbone fails with the reason.
        const [run] = await submit({ baseModel: 'local-backbone', arms: [{ method: 'lora', config: { ...TINY_TRAINING, r: 2 } }], protocol: { epochs: 1, timeoutSeconds: 60 } })
        expect(run).toMatchObject({ status: 'failed', error: expect.stringContaining(`artifact models/local-backbone/model.safetensors (the local backbone's model.safetensors, recorded as 'model/model.safetensors' of run ${pretrained.id}) does not match its recorded sha256: expected ${recorded.sha256}`) })
      })
      expect(actual).not.toBe(recorded.sha256)
      expect((await resolveBaseModel(store, 'local-backbone', database.db)).checkpoint.weights.size).toBeGreaterThan(0)
    })
  })

  it('a second mlm-pretrain run with the same recipe reuses the published backbone', async () => {
    const before = await store.get('models/local-backbone/model.safetensors')
    const [again] = await submit({ arms: [{ method: 'mlm-pretrain', config: TINY_BACKBONE }], protocol: { epochs: 3, timeoutSeconds: 120 } })
    expect(again).toMatchObject({ status: 'succeeded', summary: { reused: true, epochsCompleted: 3 } })
    expect(Buffer.compare(await store.get('models/local-backbone/model.safetensors'), before)).toBe(0)
  })
})
