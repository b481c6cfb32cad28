import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/connect'
import { runs as runsTable } from '../db/schema'
import { testDatabaseTargets } from '../db/testing'
import { createBenchmark, getBenchmark } from '../repositories/benchmarks'
import { saveDataset } from '../repositories/datasets'
import { getJob, requeueRunAsNewJob, rollUpJob } from '../repositories/jobs'
import { completeRun, endRun, getRun, listRunsOfBenchmark, startRun } from '../repositories/runs'
import { enforceGpuBudget } from './budget'
import { planRuns } from './plan'
import { benchmarkProgress } from './service'
import { benchmarkSpecSchema } from './spec'
import { textBaselineSummary } from '../contracts/testing'

for (const target of testDatabaseTargets()) {
  describe(`budget, progress and retry on ${target.name}`, () => {
    let database: DatabaseHandle
    beforeAll(async () => {
      database = await target.open()
      await saveDataset(database.db, { id: 'ds', name: 'ds', source: 'upload', contentHash: 'hash', labels: ['a'], splits: { train: 1, validation: 1, test: 1 }, artifactKey: 'datasets/x' })
    })
    afterAll(() => database.close())

    /** A benchmark of `count` majority runs, not submitted to any queue. */
    async function benchmarkWith(count: number, body: Record<string, unknown> = {}) {
      const spec = benchmarkSpecSchema.parse({ dataset: 'ds', arms: [{ method: 'majority' }], protocol: { seeds: Array.from({ length: count }, (_, i) => i) }, ...body })
      const { benchmark } = await createBenchmark(database.db, { name: 't', datasetId: 'ds', spec, plannedRuns: planRuns(spec), queue: 'local', timeoutSeconds: 60, attempts: 1 })
      return { benchmark, runs: await listRunsOfBenchmark(database.db, benchmark.id) }
    }

    /** Ends a run as a job would, then back-dates its start so that it took `hours`. */
    async function finish(runId: string, hours: number, outcome: 'succeeded' | 'failed' = 'succeeded') {
      await startRun(database.db, runId, {})
      if (outcome === 'succeeded') await completeRun(database.db, runId, textBaselineSummary({ accuracy: 0.5 }))
      else await endRun(database.db, runId, 'failed', 'boom')
      const finishedAt = new Date()
      const [run] = await database.db.update(runsTable).set({ startedAt: new Date(finishedAt.getTime() - hours * 3600_000), finishedAt }).where(eq(runsTable.id, runId)).returning()
      await rollUpJob(database.db, run!.jobId!)
    }

    it('cancels the queued runs once the measured hours exceed budget.maxGpuHours, leaving running ones', async () => {
      const { benchmark, runs } = await benchmarkWith(4, { budget: { maxGpuHours: 1 } })
      await finish(runs[0]!.id, 0.6)
      expect(await enforceGpuBudget(database.db, benchmark.id)).toMatchObject({ spentHours: expect.closeTo(0.6, 3), cancelledJobs: [] })

      await finish(runs[1]!.id, 0.6, 'failed')
      await startRun(database.db, runs[2]!.id, {})
      const enforced = await enforceGpuBudget(database.db, benchmark.id)
      expect(enforced!.spentHours).toBeGreaterThan(1.2)
      const after = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(after.map((run) => run.status)).toEqual(['succeeded', 'failed', 'running', 'cancelled'])
      expect(after[3]!.error).toMatch(/GPU budget is spent: its runs took 1.20 h of budget.maxGpuHours=1/)
      expect((await getBenchmark(database.db, benchmark.id)).status).toBe('running')
    })

    it('does nothing for a benchmark without a GPU-hour budget', async () => {
      const { benchmark, runs } = await benchmarkWith(2)
      await finish(runs[0]!.id, 100)
      expect(await enforceGpuBudget(database.db, benchmark.id)).toBeNull()
      expect((await getRun(database.db, runs[1]!.id)).status).toBe('queued')
    })

    it('estimates the time left from the mean duration of succeeded runs and the concurrency', async () => {
      const { benchmark, runs } = await benchmarkWith(5)
      expect((await benchmarkProgress(database.db, benchmark.id)).eta).toBeNull()
      await finish(runs[0]!.id, 1 / 60) // 60 s
      await finish(runs[1]!.id, 3 / 60) // 180 s
      await finish(runs[2]!.id, 10, 'failed') // failures do not count towards the mean
      const { eta, total, finished } = await benchmarkProgress(database.db, benchmark.id, 2)
      expect({ total, finished }).toEqual({ total: 5, finished: 3 })
      expect(eta).toMatchObject({ remainingRuns: 2, meanRunSeconds: expect.closeTo(120, 3), concurrency: 2, secondsRemaining: expect.closeTo(120, 3) })
      expect(eta!.estimatedFinishAt.getTime()).toBeGreaterThan(Date.now() + 100_000)
    })

    it('requeues a failed run alone in a new single-run job, and refuses any other state', async () => {
      const { benchmark, runs } = await benchmarkWith(2)
      await finish(runs[0]!.id, 0.1, 'failed')
      await finish(runs[1]!.id, 0.1)
      expect((await getBenchmark(database.db, benchmark.id)).status).toBe('failed')

      const job = await requeueRunAsNewJob(database.db, runs[0]!.id, { queue: 'local', attempts: 2 })
      expect(job).toMatchObject({ kind: 'baseline', arraySize: 1, runIds: [runs[0]!.id], attempts: 2, status: 'queued' })
      expect(job!.id).not.toBe(runs[0]!.jobId)
      expect(await getRun(database.db, runs[0]!.id)).toMatchObject({ status: 'queued', jobId: job!.id, error: null, startedAt: null, finishedAt: null, attempt: 1 })
      expect((await getBenchmark(database.db, benchmark.id)).status).toBe('running')
      // The old job keeps its history.
      expect((await getJob(database.db, runs[0]!.jobId!)).status).toBe('failed')

      expect(await requeueRunAsNewJob(database.db, runs[0]!.id, { queue: 'local', attempts: 2 })).toBeUndefined()
      expect(await requeueRunAsNewJob(database.db, runs[1]!.id, { queue: 'local', attempts: 2 })).toBeUndefined()
    })
  })
}
