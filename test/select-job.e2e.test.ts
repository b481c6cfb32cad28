/**
 * The select job end to end: a benchmark of data-selection arms through the real
 * planner, the real local job runner and the trainer entrypoint, each run storing its
 * learning curve and the labels it needed, and its round-by-round state for a retry.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, FsArtifactStore, listRunsOfBenchmark, LocalJobRunner, openDatabase, planRuns, registerDataset, submitBenchmark,
  type DatabaseHandle, type SelectionRunSummary,
} from '@bankbench/core'
import { saveTinyBert } from './fixtures/tiny-bert'
import { tinyIntentExamples, tinyIntentSplits } from './fixtures/tiny-intents'

describe('select jobs through the local runner', () => {
  let database: DatabaseHandle
  let directory: string
  let store: FsArtifactStore

  beforeAll(async () => {
    database = await openDatabase()
    directory = mkdtempSync(join(tmpdir(), 'bankbench-select-e2e-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    await registerDataset(database.db, store, { id: 'intents', name: 'intents', source: 'upload', splits: { ...tinyIntentSplits(), test: tinyIntentExamples(4, 6) } })
  })
  afterAll(async () => {
    await database.close()
    rmSync(directory, { recursive: true, force: true })
  })

  it('runs one data-selection run per strategy and seed, each with its curve, its full-data reference and its saved state', async () => {
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 2 })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'intents',
        arms: [{ method: 'data-selection', config: { budget: 12, rounds: 3 }, grid: { strategy: ['random', 'margin'] } }],
        protocol: { seeds: [1, 2], timeoutSeconds: 120 },
      }))
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(runs.map((run) => [run.method, run.status, run.error])).toEqual(Array.from({ length: 4 }, () => ['data-selection', 'succeeded', null]))
      for (const run of runs) {
        const summary = run.summary as SelectionRunSummary
        expect(summary.curve.map((round) => round.labels)).toEqual([4, 7, 12])
        expect(summary).toMatchObject({ poolSize: 16, seedSetSize: 4, trainExamples: 12, validationAccuracy: null, resumedAfterRound: null })
        expect(summary.fullData.accuracy).toBeGreaterThan(0)
        expect(await store.exists(`runs/${run.id}/checkpoint/selection-state.json`)).toBe(true)
      }
      expect(new Set(runs.map((run) => (run.summary as SelectionRunSummary).strategy))).toEqual(new Set(['random', 'margin']))
    } finally {
      await queue.close()
    }
  })

  /** A tiny untrained BERT (wide initialisation, so texts get distinct vectors) saved as an HF folder, as the baselines' e2e test does. */
  let base: Promise<string> | undefined
  const tinyBase = () => (base ??= (async () => {
    return saveTinyBert(directory, tinyIntentExamples(0, 6).map((example) => example.text))
  })())

  it('learns on the base model\'s frozen embeddings when asked, with the geometric strategies measuring distances on them', async () => {
    const baseModel = await tinyBase()
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 1 })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'intents',
        baseModel,
        arms: [{ method: 'data-selection', config: { strategy: 'core-set', metric: 'cosine', features: 'embeddings', budget: 12, rounds: 3 } }],
        protocol: { timeoutSeconds: 120 },
      }))
      await queue.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect([run!.status, run!.error]).toEqual(['succeeded', null])
      const summary = run!.summary as SelectionRunSummary
      expect(summary.features).toMatch(/frozen mean-pooled embeddings \(32 features\)$/)
      expect(summary.strategyOptions).toMatchObject({ metric: 'cosine' })
      expect(summary.curve.map((round) => round.labels)).toEqual([4, 7, 12])
      expect(run!.environment).toMatchObject({ backend: { name: expect.any(String) } })
    } finally {
      await queue.close()
    }
  })

  it('draws BALD\'s Monte-Carlo dropout through the engine\'s encoder on the embeddings learner, and says so', async () => {
    const baseModel = await tinyBase()
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 1 })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'intents',
        baseModel,
        arms: [{ method: 'data-selection', config: { strategy: 'bald', features: 'embeddings', dropout_samples: 3, budget: 12, rounds: 3 } }],
        protocol: { timeoutSeconds: 120 },
      }))
      await queue.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect([run!.status, run!.error]).toEqual(['succeeded', null])
      const summary = run!.summary as SelectionRunSummary
      expect(summary.strategyOptions).toMatchObject({ mc_dropout: 'encoder' })
      expect(summary.mcDropout).toMatch(/^3 Monte-Carlo dropout passes of .*'s encoder in the engine \(its own rates: hidden 0.1, attention 0.1\)/)
      expect(summary.curve.map((round) => round.labels)).toEqual([4, 7, 12])
    } finally {
      await queue.close()
    }
  })

  it('fine-tunes LoRA on the rows each strategy chose at the asked budgets, in the asked seeds\' runs, against one full-data fine-tune per seed', async () => {
    const baseModel = await tinyBase()
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(directory, 'logs'), concurrency: 1 })
    try {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({
        dataset: 'intents',
        baseModel,
        arms: [{ method: 'data-selection', config: { budget: 12, rounds: 3, peft_budgets: ['half', 'target', 7], peft_seeds: [1], epochs: 1 }, grid: { strategy: ['random', 'margin'] } }],
        protocol: { seeds: [1, 2], timeoutSeconds: 300 },
      }))
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(runs.map((run) => [run.status, run.error])).toEqual(Array.from({ length: 4 }, () => ['succeeded', null]))
      const withPeft = runs.filter((run) => run.seed === 1).map((run) => run.summary as SelectionRunSummary)
      for (const summary of withPeft) {
        const peft = summary.peft!
        expect(peft).toMatchObject({ method: 'lora', epochs: 1, baseModel: expect.stringContaining('base') })
        // half of 16 pool rows, then 7; target is the fast learner's labels at 95% of full data, or skipped with the reason.
        const labels = peft.points.map((point) => [point.budget, point.labels])
        expect(labels).toContainEqual(['half', 8])
        expect(labels).toContainEqual([7, 7])
        if (summary.labelsTo95PercentOfFull === null) expect(peft.skipped).toEqual([{ budget: 'target', reason: expect.stringMatching(/did not reach 95%/) }])
        else expect(labels).toContainEqual(['target', summary.labelsTo95PercentOfFull])
        for (const point of [...peft.points, peft.fullData]) {
          expect(point.accuracy).toBeGreaterThanOrEqual(0)
          expect(point.trainSeconds).toBeGreaterThan(0)
          expect(point.epochsCompleted).toBe(1)
        }
        expect(peft.fullData).toMatchObject({ budget: 'full', labels: 16 })
      }
      // One full-data fine-tune per seed, whichever strategy's run trained it first.
      expect(withPeft[0]!.peft!.fullData).toEqual(withPeft[1]!.peft!.fullData)
      expect(runs.map((run) => run.id)).toContain(withPeft[0]!.peft!.fullData.computedByRun)
      for (const run of runs.filter((run) => run.seed === 2)) expect((run.summary as SelectionRunSummary).peft).toBeNull()
    } finally {
      await queue.close()
    }
  })

  it('refuses PEFT learner fields without peft_budgets, and BALD through an encoder the TF-IDF learner lacks', () => {
    expect(() => planRuns(benchmarkSpecSchema.parse({ dataset: 'intents', arms: [{ method: 'data-selection', config: { peft_method: 'lora' } }] }))).toThrow(/peft_method applies to the PEFT learner, which runs only with peft_budgets/)
    expect(() => planRuns(benchmarkSpecSchema.parse({ dataset: 'intents', arms: [{ method: 'data-selection', config: { strategy: 'bald', mc_dropout: 'encoder' } }] }))).toThrow(/mc_dropout encoder needs features: embeddings/)
  })

  it('refuses an option the named strategy does not read, naming the field, before anything is stored', () => {
    const spec = benchmarkSpecSchema.parse({ dataset: 'intents', arms: [{ method: 'data-selection', config: { strategy: 'margin', metric: 'cosine' } }] })
    expect(() => planRuns(spec)).toThrow(/metric applies only to the core-set, diversity-max-min, diversity-k-means, contrastive strategies, not margin/)
  })
})
