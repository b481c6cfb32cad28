import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../db/connect'
import { testDatabaseTargets } from '../../db/testing'
import { getBenchmark } from '../../repositories/benchmarks'
import { endActiveRuns, getJob, rollUpJob } from '../../repositories/jobs'
import { completeRun, getRun, startRun } from '../../repositories/runs'
import { textBaselineSummary } from '../../contracts/testing'
import { describeBatchFailure, EXITED_WITHOUT_RESULT, reconcileBatchJob } from './reconcile'
import { batchJobStateChangeEvent, storeBatchJob, type StateChange } from './testing'

const SPOT_RECLAIM = 'Host EC2 (instance i-0f3a9c2b7d1e4a560) terminated.'
const OOM_KILL = { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }

for (const target of testDatabaseTargets()) {
  describe(`reconcileBatchJob on ${target.name}`, () => {
    let database: DatabaseHandle
    beforeAll(async () => { database = await target.open() })
    afterAll(async () => database.close())

    const reconcile = (change: StateChange) => reconcileBatchJob(database.db, batchJobStateChangeEvent(change).detail)
    const statuses = async (runIds: string[]) => Promise.all(runIds.map(async (id) => (await getRun(database.db, id)).status))

    /** What the container does before exiting 0: claim its run, record the result, roll the job up. */
    async function containerRecordsSuccess(jobId: string, runId: string) {
      await startRun(database.db, runId, {})
      await completeRun(database.db, runId, textBaselineSummary({ accuracy: 0.9 }))
      await rollUpJob(database.db, jobId)
    }

    it('ignores the queued states and marks the job running on RUNNING, leaving the runs to their containers', async () => {
      const { jobId, runIds, batchJobId } = await storeBatchJob(database.db, 1)
      for (const status of ['PENDING', 'RUNNABLE', 'STARTING'] as const) {
        expect(await reconcile({ jobId: batchJobId, status })).toMatchObject({ kind: 'reconciled', jobStatus: 'queued' })
      }
      expect(await reconcile({ jobId: batchJobId, status: 'RUNNING' })).toEqual({ kind: 'reconciled', batchJobId, jobId, batchStatus: 'RUNNING', jobStatus: 'running' })
      expect((await getJob(database.db, jobId)).startedAt).toBeInstanceOf(Date)
      expect(await statuses(runIds)).toEqual(['queued'])
    })

    it('rolls a SUCCEEDED job up from the result its container recorded', async () => {
      const { jobId, runIds, batchJobId, benchmarkId } = await storeBatchJob(database.db, 1)
      await reconcile({ jobId: batchJobId, status: 'RUNNING' })
      await containerRecordsSuccess(jobId, runIds[0]!)
      await reconcile({ jobId: batchJobId, status: 'SUCCEEDED', attempts: [{ container: { exitCode: 0 }, statusReason: 'Essential container in task exited' }] })
      const job = await getJob(database.db, jobId)
      expect([job.status, job.statusReason]).toEqual(['succeeded', null])
      expect((await getRun(database.db, runIds[0]!)).summary).toEqual(textBaselineSummary({ accuracy: 0.9 }))
      expect((await getBenchmark(database.db, benchmarkId)).status).toBe('succeeded')
    })

    it('fails a run left active after its container exited 0', async () => {
      const { jobId, runIds, batchJobId } = await storeBatchJob(database.db, 1)
      await startRun(database.db, runIds[0]!, {})
      await reconcile({ jobId: batchJobId, status: 'SUCCEEDED', attempts: [{ container: { exitCode: 0 }, statusReason: 'Essential container in task exited' }] })
      const run = await getRun(database.db, runIds[0]!)
      expect([run.status, run.error]).toEqual(['failed', EXITED_WITHOUT_RESULT])
      expect((await getJob(database.db, jobId)).statusReason).toBe(EXITED_WITHOUT_RESULT)
    })

    it('fails a running job whose spot instance was reclaimed on every attempt, with the reason', async () => {
      const { jobId, runIds, batchJobId, benchmarkId } = await storeBatchJob(database.db, 1)
      await reconcile({ jobId: batchJobId, status: 'RUNNING' })
      await startRun(database.db, runIds[0]!, {})
      const reclaimed = { container: {}, statusReason: SPOT_RECLAIM }
      await reconcile({ jobId: batchJobId, status: 'FAILED', statusReason: SPOT_RECLAIM, attempts: [reclaimed, reclaimed] })
      const run = await getRun(database.db, runIds[0]!)
      expect(run.status).toBe('failed')
      expect(run.error).toMatch(new RegExp(`^AWS Batch job ${batchJobId} failed: Host EC2 \\(instance i-0f3a9c2b7d1e4a560\\) terminated\\. \\(after 2 attempts, log stream bankbench-dev-trainer/default/\\w+\\)$`))
      const job = await getJob(database.db, jobId)
      expect([job.status, job.statusReason]).toEqual(['failed', run.error])
      expect((await getBenchmark(database.db, benchmarkId)).status).toBe('failed')
    })

    it('fails only the array child that failed, then the runs its parent left behind', async () => {
      const { jobId, runIds, batchJobId } = await storeBatchJob(database.db, 3)
      await reconcile({ jobId: `${batchJobId}:0`, status: 'RUNNING' })
      await containerRecordsSuccess(jobId, runIds[0]!)
      await reconcile({ jobId: `${batchJobId}:0`, status: 'SUCCEEDED', attempts: [{ container: { exitCode: 0 }, statusReason: 'Essential container in task exited' }] })
      await reconcile({ jobId: `${batchJobId}:1`, status: 'FAILED', statusReason: 'Essential container in task exited', attempts: [{ container: OOM_KILL, statusReason: 'Essential container in task exited' }] })
      expect(await statuses(runIds)).toEqual(['succeeded', 'failed', 'queued'])
      expect((await getRun(database.db, runIds[1]!)).error).toContain(
        `AWS Batch job ${batchJobId}:1 failed: Essential container in task exited; OutOfMemoryError: Container killed due to memory usage; exit code 137 (after 1 attempt`)
      expect((await getJob(database.db, jobId)).status).toBe('running')

      // Child 2's events were lost; its parent's FAILED event ends it.
      await reconcile({ jobId: batchJobId, status: 'FAILED', statusReason: 'Array Child Job failed', arraySize: 3 })
      expect(await statuses(runIds)).toEqual(['succeeded', 'failed', 'failed'])
      expect((await getRun(database.db, runIds[1]!)).error).toContain('OutOfMemoryError')
      expect((await getRun(database.db, runIds[2]!)).error).toBe(`AWS Batch job ${batchJobId} failed: Array Child Job failed`)
      expect((await getJob(database.db, jobId)).status).toBe('failed')
    })

    it('tolerates repeated and late events: a RUNNING after FAILED resurrects nothing', async () => {
      const { jobId, runIds, batchJobId } = await storeBatchJob(database.db, 1)
      const failed: StateChange = { jobId: batchJobId, status: 'FAILED', statusReason: 'Job attempt duration exceeded timeout', attempts: [{ container: { exitCode: 137 }, statusReason: 'Job attempt duration exceeded timeout' }] }
      await reconcile(failed)
      const first = await getRun(database.db, runIds[0]!)
      await reconcile({ ...failed, statusReason: 'a different story' })
      await reconcile({ jobId: batchJobId, status: 'RUNNING' })
      await reconcile({ jobId: batchJobId, status: 'SUCCEEDED' })
      expect(await getRun(database.db, runIds[0]!)).toEqual(first)
      expect(first.error).toContain('Job attempt duration exceeded timeout; exit code 137')
      expect((await getJob(database.db, jobId)).status).toBe('failed')
    })

    it('keeps cancelled runs cancelled when the FAILED of their termination arrives', async () => {
      const { jobId, runIds, batchJobId } = await storeBatchJob(database.db, 2)
      await endActiveRuns(database.db, jobId, 'cancelled', 'cancelled by the user')
      await reconcile({ jobId: batchJobId, status: 'FAILED', statusReason: 'cancelled by the user', arraySize: 2 })
      expect(await statuses(runIds)).toEqual(['cancelled', 'cancelled'])
      expect((await getJob(database.db, jobId)).status).toBe('cancelled')
    })

    it('ignores jobs that are not ours and array indexes out of range', async () => {
      expect(await reconcile({ jobId: '0b9f3c1e-5d7a-4e2b-9c8d-1a2b3c4d5e6f', status: 'FAILED' }))
        .toMatchObject({ kind: 'ignored', reason: 'no bankbench job has the AWS Batch job id 0b9f3c1e-5d7a-4e2b-9c8d-1a2b3c4d5e6f' })
      const { batchJobId } = await storeBatchJob(database.db, 2)
      expect(await reconcile({ jobId: `${batchJobId}:7`, status: 'FAILED' })).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('array index 7 is out of range') })
    })
  })
}

describe('describeBatchFailure', () => {
  it('falls back to the attempt and job container when the job has no reason of its own', () => {
    expect(describeBatchFailure({ jobId: 'abc', status: 'FAILED', container: { exitCode: 1 } })).toBe('AWS Batch job abc failed: no reason given; exit code 1')
    expect(describeBatchFailure({ jobId: 'abc', status: 'FAILED', attempts: [{ statusReason: 'Task failed to start', container: { reason: 'CannotPullContainerError: pull access denied' } }] }))
      .toBe('AWS Batch job abc failed: Task failed to start; CannotPullContainerError: pull access denied (after 1 attempt)')
  })
})
