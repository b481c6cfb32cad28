import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchmarkSpecSchema } from '../benchmarks/spec'
import { planRuns } from '../benchmarks/plan'
import type { DatabaseHandle } from '../db/connect'
import { benchmarks, jobs, runs } from '../db/schema'
import { testDatabaseTargets } from '../db/testing'
import type { JobStatus } from '../jobs/job-queue'
import { rollUpStatus } from '../jobs/status'
import { createBenchmark } from './benchmarks'
import { saveDataset } from './datasets'
import { getJob, rollUpBenchmark, rollUpJob } from './jobs'
import { listRunsOfBenchmark } from './runs'

const STATUSES: JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled']

for (const target of testDatabaseTargets()) {
  describe(`status roll-ups on ${target.name}`, () => {
    let database: DatabaseHandle
    beforeAll(async () => {
      database = await target.open()
      await saveDataset(database.db, { id: 'ds', name: 'ds', source: 'upload', contentHash: 'hash', labels: ['a', 'b'], splits: { train: 1, validation: 1, test: 1 }, artifactKey: 'datasets/x' })
    })
    afterAll(() => database.close())

    const create = async () => {
      const spec = benchmarkSpecSchema.parse({ dataset: 'ds', arms: [{ method: 'majority' }], protocol: { seeds: [1, 2, 3] } })
      const { benchmark, jobIds } = await createBenchmark(database.db, { name: 'roll-up', datasetId: 'ds', spec, plannedRuns: planRuns(spec), queue: 'local', timeoutSeconds: 60, attempts: 1 })
      return { benchmarkId: benchmark.id, jobId: jobIds[0]!, runIds: (await listRunsOfBenchmark(database.db, benchmark.id)).map((run) => run.id) }
    }

    it('computes in SQL exactly what rollUpStatus says, for every combination of three runs', async () => {
      const { db } = database
      const { benchmarkId, jobId, runIds } = await create()
      expect(runIds).toHaveLength(3)
      for (const a of STATUSES) for (const b of STATUSES) for (const c of STATUSES) {
        const members = [a, b, c]
        for (const [i, status] of members.entries()) await db.update(runs).set({ status }).where(eq(runs.id, runIds[i]!))
        await db.update(jobs).set({ status: 'queued' }).where(eq(jobs.id, jobId))
        await db.update(benchmarks).set({ status: 'queued' }).where(eq(benchmarks.id, benchmarkId))
        await rollUpJob(db, jobId)
        expect({ members, job: (await getJob(db, jobId)).status }).toEqual({ members, job: rollUpStatus(members) })
        expect({ members, benchmark: await rollUpBenchmark(db, benchmarkId) }).toEqual({ members, benchmark: rollUpStatus(members) })
      }
    })

    it('never turns a finished job or benchmark back to running from a stale view; a requeue reopens the benchmark on purpose', async () => {
      const { db } = database
      const { benchmarkId, jobId, runIds } = await create()
      await db.update(runs).set({ status: 'succeeded' }).where(eq(runs.jobId, jobId))
      expect(await rollUpJob(db, jobId, 'all done')).toBe('succeeded')
      const finished = await getJob(db, jobId)
      expect(finished.statusReason).toBe('all done')
      expect(finished.finishedAt).not.toBeNull()
      // A roll-up that read its runs before they finished would write 'running' now.
      await db.update(runs).set({ status: 'running' }).where(eq(runs.id, runIds[0]!))
      expect(await rollUpJob(db, jobId)).toBe('succeeded')
      expect(await rollUpBenchmark(db, benchmarkId)).toBe('succeeded')
      expect(await rollUpBenchmark(db, benchmarkId, { reopen: true })).toBe('running')
    })
  })
}
