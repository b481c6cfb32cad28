import { randomUUID } from 'node:crypto'
import { BatchClient, DescribeJobsCommand, ListJobsCommand, SubmitJobCommand, TerminateJobCommand, type JobDetail } from '@aws-sdk/client-batch'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../db/connect'
import { testDatabaseTargets } from '../../db/testing'
import { getJob } from '../../repositories/jobs'
import { getRun, startRun } from '../../repositories/runs'
import { BATCH_RETRY_RULES, BatchJobQueue, batchJobName } from './batch-job-queue'
import { reconcileBatchJob } from './reconcile'
import { reconcileActiveBatchJobs } from './sweep'
import { batchJobStateChangeEvent, storeBatchJob, storeUnsubmittedBatchBenchmark } from './testing'

const batch = mockClient(BatchClient)
const ARTIFACTS = 's3://bankbench-dev-artifacts'

/** A DescribeJobs entry as the API returns it (the fields that matter here). */
const describedJob = (jobId: string, status: JobDetail['status'], extra: Partial<JobDetail> = {}): JobDetail => ({
  jobId, jobName: `bankbench-dev-train-${jobId}`, jobQueue: 'arn:aws:batch:eu-west-1:123456789012:job-queue/bankbench-dev-gpu-training',
  jobDefinition: 'arn:aws:batch:eu-west-1:123456789012:job-definition/bankbench-dev-trainer:3', status, startedAt: 1_764_000_000_000, ...extra,
})

for (const target of testDatabaseTargets()) {
  describe(`BatchJobQueue on ${target.name}`, () => {
    let database: DatabaseHandle
    let queue: BatchJobQueue
    const client = new BatchClient({ region: 'eu-west-1' })
    beforeAll(async () => {
      database = await target.open()
      queue = new BatchJobQueue({ db: database.db, client, stage: 'dev', artifactsUri: ARTIFACTS })
    })
    afterAll(async () => database.close())
    beforeEach(() => batch.reset())

    it('submits a sweep as an array job on the GPU queue and stores the Batch job id', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora', grid: { r: [2, 4, 8] } }])
      const jobId = job!.jobId
      batch.on(SubmitJobCommand).resolves({ jobId: 'a1b2c3d4-0000-4000-8000-000000000001', jobName: 'x', jobArn: 'arn' })
      const { externalId } = await queue.submit({ jobId, kind: 'train', arraySize: 3, timeoutSeconds: 7200, attempts: 2 })
      expect(externalId).toBe('a1b2c3d4-0000-4000-8000-000000000001')
      expect((await getJob(database.db, jobId)).externalId).toBe(externalId)
      expect(batch.commandCalls(SubmitJobCommand)[0]!.args[0].input).toEqual({
        jobName: `bankbench-dev-train-${jobId}`,
        jobQueue: 'bankbench-dev-gpu-training',
        jobDefinition: 'bankbench-dev-trainer',
        arrayProperties: { size: 3 },
        retryStrategy: { attempts: 2, evaluateOnExit: BATCH_RETRY_RULES },
        timeout: { attemptDurationSeconds: 7200 },
        containerOverrides: { environment: [{ name: 'BANKBENCH_JOB_ID', value: jobId }, { name: 'BANKBENCH_ARTIFACTS', value: ARTIFACTS }] },
        tags: { 'bankbench:stage': 'dev', 'bankbench:job-id': jobId, 'bankbench:kind': 'train' },
        propagateTags: true,
      })
    })

    it('submits a single run as a plain job, indexer kinds on the CPU queue, with at least Batch\'s 60 s timeout', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      batch.on(SubmitJobCommand).resolves({ jobId: 'a1b2c3d4-0000-4000-8000-000000000002', jobName: 'x', jobArn: 'arn' })
      await queue.submit({ jobId: job!.jobId, kind: 'vector-bench', arraySize: 1, timeoutSeconds: 10, attempts: 1 })
      const input = batch.commandCalls(SubmitJobCommand)[0]!.args[0].input
      expect(input).not.toHaveProperty('arrayProperties')
      expect(input).toMatchObject({ jobQueue: 'bankbench-dev-cpu', jobDefinition: 'bankbench-dev-indexer', timeout: { attemptDurationSeconds: 60 } })
    })

    it('makes a job wait for the jobs it depends on (a train job for its pretrain job)', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      batch.on(SubmitJobCommand).resolves({ jobId: 'a1b2c3d4-0000-4000-8000-000000000003', jobName: 'x', jobArn: 'arn' })
      await queue.submit({ jobId: job!.jobId, kind: 'train', arraySize: 2, timeoutSeconds: 600, attempts: 1, dependsOn: [{ jobId: 'job_pretrain', externalId: 'batch-pretrain-id' }] })
      expect(batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.dependsOn).toEqual([{ jobId: 'batch-pretrain-id' }])
    })

    it('refuses what Batch would refuse before calling it', async () => {
      await expect(queue.submit({ jobId: 'job_big', kind: 'train', arraySize: 10_001, timeoutSeconds: 60, attempts: 1 })).rejects.toThrow(/1 to 10000 runs/)
      await expect(queue.submit({ jobId: 'job_eager', kind: 'train', arraySize: 1, timeoutSeconds: 60, attempts: 11 })).rejects.toThrow(/1 to 10 attempts/)
      expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(0)
    })

    it('cancels by marking its active runs cancelled, then terminating the Batch job', async () => {
      const { jobId, runIds, batchJobId } = await storeBatchJob(database.db, 2)
      await startRun(database.db, runIds[0]!, {})
      // What the database says at the moment Batch is told: the runs are already cancelled.
      const seenAtTerminate: string[] = []
      batch.on(TerminateJobCommand).callsFake(async () => {
        for (const runId of runIds) seenAtTerminate.push((await getRun(database.db, runId)).status)
        seenAtTerminate.push((await getJob(database.db, jobId)).status)
        return {}
      })
      await queue.cancel(jobId, batchJobId, 'cancelled by the user')
      expect(seenAtTerminate).toEqual(['cancelled', 'cancelled', 'cancelled'])
      expect(batch.commandCalls(TerminateJobCommand).map((call) => call.args[0].input)).toEqual([{ jobId: batchJobId, reason: 'cancelled by the user' }])
      expect((await getRun(database.db, runIds[0]!)).status).toBe('cancelled')
      expect((await getRun(database.db, runIds[1]!)).error).toBe('cancelled by the user')
      expect((await getJob(database.db, jobId)).status).toBe('cancelled')

      // The termination's own FAILED event changes nothing.
      await reconcileBatchJob(database.db, batchJobStateChangeEvent({ jobId: batchJobId, status: 'FAILED', statusReason: 'cancelled by the user', arraySize: 2 }).detail)
      expect((await getJob(database.db, jobId)).status).toBe('cancelled')
    })

    it('keeps a cancellation recorded when TerminateJob fails', async () => {
      const { jobId, runIds, batchJobId } = await storeBatchJob(database.db, 1)
      batch.on(TerminateJobCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 429 } }))
      await expect(queue.cancel(jobId, batchJobId, 'cancelled by the user')).rejects.toThrow(/Rate exceeded/)
      expect((await getRun(database.db, runIds[0]!)).status).toBe('cancelled')
    })

    it('terminates the Batch id recorded after the caller read the job (a submission in flight)', async () => {
      const { jobId, batchJobId } = await storeBatchJob(database.db, 1)
      batch.on(TerminateJobCommand).resolves({})
      await queue.cancel(jobId, null, 'cancelled by the user')
      expect(batch.commandCalls(TerminateJobCommand).map((call) => call.args[0].input.jobId)).toEqual([batchJobId])
    })

    it('cancels a job that never reached Batch without calling it, and the sweep never submits it', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      await queue.cancel(job!.jobId, null, 'cancelled by the user')
      expect(batch.commandCalls(TerminateJobCommand)).toHaveLength(0)
      expect((await getJob(database.db, job!.jobId)).status).toBe('cancelled')
      batch.on(ListJobsCommand).resolves({ jobSummaryList: [] })
      batch.on(SubmitJobCommand).resolves({ jobId: randomUUID(), jobName: 'x', jobArn: 'arn' })
      await queue.submitOutstanding({ now: new Date(Date.now() + 3600_000) })
      // Other tests' jobs share this database: only this job's calls count.
      expect(batch.commandCalls(SubmitJobCommand).filter((call) => call.args[0].input.jobName?.endsWith(job!.jobId))).toHaveLength(0)
      expect(batch.commandCalls(ListJobsCommand).filter((call) => call.args[0].input.filters?.[0]?.values?.[0]?.endsWith(job!.jobId))).toHaveLength(0)
    })

    it('describes jobs 100 ids per DescribeJobs call', async () => {
      batch.on(DescribeJobsCommand).callsFake((input: { jobs: string[] }) => ({ jobs: input.jobs.map((id) => describedJob(id, 'RUNNABLE')) }))
      const ids = Array.from({ length: 250 }, (_, i) => `id-${i}`)
      const details = await queue.describe(ids)
      expect(details.map((detail) => detail.jobId)).toEqual(ids)
      expect(batch.commandCalls(DescribeJobsCommand).map((call) => call.args[0].input.jobs!.length)).toEqual([100, 100, 50])
    })

    it('sweeps active jobs: reconciles what Batch reports and fails what it no longer knows', async () => {
      const reclaimed = await storeBatchJob(database.db, 1)
      const vanished = await storeBatchJob(database.db, 1)
      batch.on(DescribeJobsCommand).callsFake((input: { jobs: string[] }) => ({
        jobs: input.jobs.filter((id) => id !== vanished.batchJobId).map((id) => id === reclaimed.batchJobId
          ? describedJob(id, 'FAILED', { statusReason: 'Host EC2 (instance i-0aa) terminated.', attempts: [{ statusReason: 'Host EC2 (instance i-0aa) terminated.' }] })
          : describedJob(id, 'RUNNING')),
      }))
      const recently = await reconcileActiveBatchJobs(database.db, client)
      expect(recently.failedAsMissing).toEqual([])
      expect((await getRun(database.db, reclaimed.runIds[0]!)).error).toBe(`AWS Batch job ${reclaimed.batchJobId} failed: Host EC2 (instance i-0aa) terminated. (after 1 attempt)`)
      expect((await getJob(database.db, vanished.jobId)).status).toBe('queued')

      const later = await reconcileActiveBatchJobs(database.db, client, { now: new Date(Date.now() + 3600_000) })
      expect(later.failedAsMissing).toContain(vanished.jobId)
      expect((await getRun(database.db, vanished.runIds[0]!)).error).toContain(`AWS Batch no longer knows job ${vanished.batchJobId}`)
    })
  })
}

describe('batchJobName', () => {
  it('keeps only the characters Batch allows, starts with a letter or digit, and stops at 128', () => {
    expect(batchJobName('bankbench-dev-train-job_abc')).toBe('bankbench-dev-train-job_abc')
    expect(batchJobName('_odd name/ü')).toBe('j_odd-name--')
    expect(batchJobName('x'.repeat(200))).toHaveLength(128)
  })
})
