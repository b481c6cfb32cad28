import { BatchClient, DescribeJobsCommand, ListJobsCommand, SubmitJobCommand, TerminateJobCommand, type JobSummary } from '@aws-sdk/client-batch'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DatabaseHandle } from '../../db/connect'
import { testDatabaseTargets } from '../../db/testing'
import { getJob } from '../../repositories/jobs'
import { getRun } from '../../repositories/runs'
import { SubmissionDeferredError } from '../job-queue'
import { submitStoredJobs } from '../submit-jobs'
import { BatchJobQueue } from './batch-job-queue'
import { sweepBatchJobs } from './sweep'
import { storeUnsubmittedBatchBenchmark } from './testing'

const batch = mockClient(BatchClient)
const QUEUE = 'bankbench-dev-gpu-training'
/** Past the submission grace period (and every other one). */
const LATER = () => new Date(Date.now() + 3600_000)

/** A network failure as the SDK throws it: no answer from Batch, so no fault and no status. */
const connectionReset = () => Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET', $metadata: { attempts: 3 } })
/** An answer from Batch that refuses the request. */
const clientException = (message: string) => Object.assign(new Error(message), { name: 'ClientException', $fault: 'client', $metadata: { httpStatusCode: 400 } })

const submitCallsFor = (jobId: string) => batch.commandCalls(SubmitJobCommand).filter((call) => call.args[0].input.jobName?.endsWith(jobId))

for (const target of testDatabaseTargets()) {
  describe(`the Batch submission outbox on ${target.name}`, () => {
    let database: DatabaseHandle
    let queue: BatchJobQueue
    /** What ListJobs finds, by job name: what Batch accepted whether or not we recorded it. */
    let inBatch: Map<string, JobSummary[]>
    let acceptSubmission: (input: { jobName: string }) => { jobId: string; jobName: string; jobArn: string }
    const client = new BatchClient({ region: 'eu-west-1' })
    beforeAll(async () => {
      database = await target.open()
      queue = new BatchJobQueue({ db: database.db, client, stage: 'dev', artifactsUri: 's3://bankbench-dev-artifacts/artifacts' })
      vi.spyOn(console, 'warn').mockImplementation(() => {})
    })
    afterAll(async () => {
      vi.restoreAllMocks()
      await database.close()
    })
    beforeEach(() => {
      batch.reset()
      inBatch = new Map()
      let next = 0
      // Batch as it behaves: SubmitJob creates a job ListJobs then finds by its name; DescribeJobs knows what was submitted.
      acceptSubmission = (input: { jobName: string }) => {
        const jobId = `batch-${++next}-${input.jobName}`
        inBatch.set(input.jobName, [...(inBatch.get(input.jobName) ?? []), { jobId, jobName: input.jobName, status: 'SUBMITTED', createdAt: Date.now() + next }])
        return { jobId, jobName: input.jobName, jobArn: `arn:aws:batch:eu-west-1:123456789012:job/${jobId}` }
      }
      batch.on(SubmitJobCommand).callsFake(acceptSubmission)
      batch.on(ListJobsCommand).callsFake((input: { filters: { values: string[] }[] }) => ({ jobSummaryList: inBatch.get(input.filters[0]!.values[0]!) ?? [] }))
      batch.on(DescribeJobsCommand).callsFake((input: { jobs: string[] }) => ({
        jobs: [...inBatch.values()].flat().filter((job) => input.jobs.includes(job.jobId!)).map((job) => ({ ...job, jobQueue: QUEUE, jobDefinition: 'bankbench-dev-trainer', startedAt: 0, status: 'RUNNABLE' })),
      }))
      batch.on(TerminateJobCommand).resolves({})
    })

    it('submits a job committed without submission once it is past the grace period, exactly once', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      const jobId = job!.jobId

      // A job committed a moment ago is most likely being submitted by the API now: left alone.
      await sweepBatchJobs(queue)
      expect(submitCallsFor(jobId)).toHaveLength(0)
      expect((await getJob(database.db, jobId)).externalId).toBeNull()

      const swept = await sweepBatchJobs(queue, { now: LATER() })
      expect(swept.outbox?.submitted).toContain(jobId)
      const jobName = `bankbench-dev-train-${jobId}`
      // Looked up by name before submitting: it was not there.
      expect(batch.commandCalls(ListJobsCommand).map((call) => call.args[0].input)).toContainEqual({ jobQueue: QUEUE, filters: [{ name: 'JOB_NAME', values: [jobName] }] })
      expect(submitCallsFor(jobId)).toHaveLength(1)
      expect(submitCallsFor(jobId)[0]!.args[0].input).toMatchObject({ jobName, jobQueue: QUEUE, jobDefinition: 'bankbench-dev-trainer' })
      const stored = await getJob(database.db, jobId)
      expect(stored).toMatchObject({ status: 'queued', externalId: inBatch.get(jobName)![0]!.jobId })
      // Submitted a moment ago by this very sweep: never "missing", even if Batch does not describe it yet.
      expect(swept.failedAsMissing).not.toContain(jobId)

      const again = await sweepBatchJobs(queue, { now: LATER() })
      expect(again.outbox?.submitted).not.toContain(jobId)
      expect(submitCallsFor(jobId)).toHaveLength(1)
      expect((await getJob(database.db, jobId)).externalId).toBe(stored.externalId)
    })

    it('does not submit twice a job whose SubmitJob succeeded but whose answer was lost', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora', grid: { r: [2, 4] } }])
      const jobId = job!.jobId
      const jobName = `bankbench-dev-train-${jobId}`
      // Batch creates the job, the answer never comes back.
      batch.on(SubmitJobCommand).callsFakeOnce((input: { jobName: string }) => {
        inBatch.set(input.jobName, [{ jobId: 'accepted-but-unrecorded', jobName: input.jobName, status: 'RUNNABLE', createdAt: Date.now() }])
        throw connectionReset()
      })

      // The API's own pass: not a refusal, so the job stays to submit (queued, no id), its runs untouched.
      const first = await submitStoredJobs(database.db, queue, [jobId])
      expect(first).toEqual({ submitted: [], refused: [], deferred: [jobId] })
      expect(await getJob(database.db, jobId)).toMatchObject({ status: 'queued', externalId: null })
      expect((await getRun(database.db, job!.runIds[0]!)).status).toBe('queued')

      const swept = await sweepBatchJobs(queue, { now: LATER() })
      expect(swept.outbox?.submitted).toContain(jobId)
      expect((await getJob(database.db, jobId)).externalId).toBe('accepted-but-unrecorded')
      expect(submitCallsFor(jobId)).toHaveLength(1)
      expect(inBatch.get(jobName)).toHaveLength(1)
      expect(batch.commandCalls(TerminateJobCommand)).toHaveLength(0)
    })

    it('keeps one Batch job when a job was submitted twice, and stops the other', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      const jobName = `bankbench-dev-train-${job!.jobId}`
      inBatch.set(jobName, [
        { jobId: 'second', jobName, status: 'RUNNABLE', createdAt: 2_000 },
        { jobId: 'first', jobName, status: 'RUNNING', createdAt: 1_000 },
        // The name filter is case-insensitive; only our exact name is ours.
        { jobId: 'someone-else', jobName: jobName.toUpperCase(), status: 'RUNNING', createdAt: 500 },
      ])
      await sweepBatchJobs(queue, { now: LATER() })
      expect((await getJob(database.db, job!.jobId)).externalId).toBe('first')
      expect(batch.commandCalls(TerminateJobCommand).map((call) => call.args[0].input)).toEqual([
        { jobId: 'second', reason: `a duplicate submission of bankbench job ${job!.jobId}; AWS Batch job first runs it` },
      ])
      expect(submitCallsFor(job!.jobId)).toHaveLength(0)
    })

    it('stops the extra job when the SDK retried a SubmitJob whose first attempt was accepted', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      const jobName = `bankbench-dev-train-${job!.jobId}`
      inBatch.set(jobName, [{ jobId: 'first-attempt', jobName, status: 'SUBMITTED', createdAt: 1_000 }])
      batch.on(SubmitJobCommand).callsFakeOnce((input: { jobName: string }) => {
        inBatch.get(input.jobName)!.push({ jobId: 'second-attempt', jobName: input.jobName, status: 'SUBMITTED', createdAt: 2_000 })
        return { jobId: 'second-attempt', jobName: input.jobName, jobArn: 'arn', $metadata: { attempts: 2 } }
      })
      await submitStoredJobs(database.db, queue, [job!.jobId])
      expect((await getJob(database.db, job!.jobId)).externalId).toBe('second-attempt')
      expect(batch.commandCalls(TerminateJobCommand).map((call) => call.args[0].input.jobId)).toEqual(['first-attempt'])
    })

    it('fails a job Batch refuses; one Batch throttles waits for the next sweep', async () => {
      const { jobs: [refused] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      batch.on(SubmitJobCommand).rejects(clientException('JobQueue bankbench-dev-gpu-training not found'))
      expect(await submitStoredJobs(database.db, queue, [refused!.jobId])).toEqual({ submitted: [], refused: [refused!.jobId], deferred: [] })
      expect(await getRun(database.db, refused!.runIds[0]!)).toMatchObject({ status: 'failed', error: 'the batch queue refused the job: JobQueue bankbench-dev-gpu-training not found' })

      const { jobs: [throttled] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      batch.on(SubmitJobCommand).rejects(Object.assign(new Error('Too Many Requests'), { name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 } }))
      expect(await submitStoredJobs(database.db, queue, [throttled!.jobId])).toEqual({ submitted: [], refused: [], deferred: [throttled!.jobId] })
      expect((await getJob(database.db, throttled!.jobId)).status).toBe('queued')
      batch.on(SubmitJobCommand).callsFake(acceptSubmission)
      await sweepBatchJobs(queue, { now: LATER() })
      expect((await getJob(database.db, throttled!.jobId)).externalId).toMatch(/^batch-/)
    })

    it('submits a benchmark\'s pretrain job first, and the jobs that wait for it with its Batch id', async () => {
      const { jobs } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'mlm-pretrain' }, { method: 'lora' }])
      const [pretrain, train] = jobs
      expect([pretrain!.kind, train!.kind]).toEqual(['pretrain', 'train'])
      await sweepBatchJobs(queue, { now: LATER() })
      const pretrainId = (await getJob(database.db, pretrain!.jobId)).externalId
      expect(pretrainId).toMatch(/^batch-/)
      expect(submitCallsFor(train!.jobId)[0]!.args[0].input.dependsOn).toEqual([{ jobId: pretrainId }])
      expect(submitCallsFor(pretrain!.jobId)[0]!.args[0].input.dependsOn).toBeUndefined()
    })

    it('lets two submitters at once start one Batch job', async () => {
      const { jobs: [job] } = await storeUnsubmittedBatchBenchmark(database.db, [{ method: 'lora' }])
      const submission = { jobId: job!.jobId, kind: 'train' as const, arraySize: 1, timeoutSeconds: 600, attempts: 1 }
      const outcomes = await Promise.allSettled([queue.submit(submission), queue.submit({ ...submission, resubmission: true }), queue.submit(submission)])
      expect(submitCallsFor(job!.jobId)).toHaveLength(1)
      const recorded = (await getJob(database.db, job!.jobId)).externalId
      for (const outcome of outcomes) {
        // The row is locked while one submits: the others find the id it recorded, or defer to the sweep.
        if (outcome.status === 'fulfilled') expect(outcome.value.externalId).toBe(recorded)
        else expect(outcome.reason).toBeInstanceOf(SubmissionDeferredError)
      }
    })
  })
}
