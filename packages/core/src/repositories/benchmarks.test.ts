import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchmarkSpecSchema } from '../benchmarks/spec'
import { planRuns } from '../benchmarks/plan'
import type { DatabaseHandle } from '../db/connect'
import { testDatabaseTargets } from '../db/testing'
import { ProblemError } from '../errors'
import { createBenchmark, getBenchmark, listBenchmarks } from './benchmarks'
import { saveDataset } from './datasets'
import { getJob, rollUpJob } from './jobs'
import { completeRun, endRun, listRunsOfBenchmark, startRun } from './runs'
import { textBaselineSummary } from '../contracts/testing'

for (const target of testDatabaseTargets()) {
  describe(`benchmark repositories on ${target.name}`, () => {
    let database: DatabaseHandle
    beforeAll(async () => {
      database = await target.open()
      await saveDataset(database.db, { id: 'ds', name: 'ds', source: 'upload', contentHash: 'hash', labels: ['a', 'b'], splits: { train: 1, validation: 1, test: 1 }, artifactKey: 'datasets/x' })
    })
    afterAll(() => database.close())

    const spec = benchmarkSpecSchema.parse({ dataset: 'ds', arms: [{ method: 'majority' }, { method: 'lora', grid: { r: [4, 8] } }], protocol: { seeds: [1, 2] } })
    const create = (idempotencyKey?: string, body = spec) => createBenchmark(database.db, {
      name: 'test', datasetId: 'ds', spec: body, plannedRuns: planRuns(body), queue: 'local', timeoutSeconds: 60, attempts: 1, idempotencyKey,
    })

    it('stores the benchmark, its runs and one array job per job kind', async () => {
      const { benchmark, jobIds } = await create()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(runs.map((run) => `${run.method}/${run.seed}`)).toEqual(['majority/1', 'majority/2', 'lora/1', 'lora/2', 'lora/1', 'lora/2'])
      const jobs = await Promise.all(jobIds.map((id) => getJob(database.db, id)))
      expect(jobs.map((job) => [job.kind, job.arraySize])).toEqual([['baseline', 2], ['train', 4]])
      expect(jobs[1]!.runIds).toEqual(runs.filter((run) => run.method === 'lora').map((run) => run.id))
    })

    it('returns the first benchmark for a replayed idempotency key and refuses a different body', async () => {
      const first = await create('key-1')
      const replay = await create('key-1')
      expect(replay.created).toBe(false)
      expect(replay.benchmark.id).toBe(first.benchmark.id)
      const other = benchmarkSpecSchema.parse({ dataset: 'ds', arms: [{ method: 'random' }] })
      await expect(create('key-1', other)).rejects.toThrow(ProblemError)
    })

    it('pages newest first with a cursor', async () => {
      const ids: string[] = []
      let cursor: string | undefined
      do {
        const page = await listBenchmarks(database.db, { limit: 1, cursor })
        ids.push(...page.items.map((item) => item.id))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      expect(ids.length).toBe(new Set(ids).size)
      expect(ids.length).toBeGreaterThanOrEqual(2)
    })

    it('rolls run outcomes up to the job and the benchmark', async () => {
      const { benchmark, jobIds } = await create()
      const [baselineJob] = jobIds
      const runs = (await listRunsOfBenchmark(database.db, benchmark.id)).filter((run) => run.jobId === baselineJob)
      await startRun(database.db, runs[0]!.id, {})
      expect(await rollUpJob(database.db, baselineJob!)).toBe('running')
      await completeRun(database.db, runs[0]!.id, textBaselineSummary({ accuracy: 1 }))
      await startRun(database.db, runs[1]!.id, {})
      await endRun(database.db, runs[1]!.id, 'failed', 'boom')
      expect(await rollUpJob(database.db, baselineJob!)).toBe('failed')
      expect((await getBenchmark(database.db, benchmark.id)).status).toBe('running')
      // A finished run is never changed again.
      expect(await endRun(database.db, runs[0]!.id, 'cancelled', 'late')).toBe(false)
    })
  })
}
