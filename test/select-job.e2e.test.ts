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

  it('refuses an option the named strategy does not read, naming the field, before anything is stored', () => {
    const spec = benchmarkSpecSchema.parse({ dataset: 'intents', arms: [{ method: 'data-selection', config: { strategy: 'margin', metric: 'cosine' } }] })
    expect(() => planRuns(spec)).toThrow(/metric applies only to the core-set, diversity-max-min, diversity-k-means strategies, not margin/)
  })
})
