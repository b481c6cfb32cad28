import { BatchClient, DescribeJobsCommand } from '@aws-sdk/client-batch'
import { getJob, getRun, startRun, type DatabaseHandle } from '@bankbench/core'
import { batchJobStateChangeEvent, storeBatchJob, testDatabaseTargets } from '@bankbench/core/testing'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { handler } from './handler'
import { handler as sweep } from './sweep'

const batch = mockClient(BatchClient)

for (const target of testDatabaseTargets()) {
  describe(`batch-events functions on ${target.name}`, () => {
    let database: DatabaseHandle
    let log: MockInstance<typeof console.log>
    beforeAll(async () => {
      log = vi.spyOn(console, 'log').mockImplementation(() => {})
      database = await target.open()
      // The functions read DATABASE_URL, as on Lambda.
      vi.stubEnv('DATABASE_URL', database.url)
      vi.stubEnv('BANKBENCH_STAGE', 'dev')
      vi.stubEnv('BANKBENCH_ARTIFACTS', 's3://bankbench-dev-artifacts/artifacts')
    })
    afterAll(async () => {
      vi.unstubAllEnvs()
      log.mockRestore()
      await database.close()
    })

    it('reconciles an EventBridge event: a child OOM-killed fails its run', async () => {
      const { jobId, runIds, batchJobId } = await storeBatchJob(database.db, 2)
      await handler(batchJobStateChangeEvent({ jobId: `${batchJobId}:0`, status: 'RUNNING' }))
      await startRun(database.db, runIds[0]!, {})
      expect((await getJob(database.db, jobId)).status).toBe('running')

      const event = batchJobStateChangeEvent({
        jobId: `${batchJobId}:0`, status: 'FAILED', statusReason: 'Essential container in task exited',
        attempts: [{ container: { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }, statusReason: 'Essential container in task exited' }],
      })
      expect(event.detail).toMatchObject({ jobArn: expect.stringContaining(`job/${batchJobId}:0`), arrayProperties: { index: 0 }, container: { exitCode: 137 } })
      expect(await handler(event)).toMatchObject({ kind: 'reconciled', jobId, batchStatus: 'FAILED', jobStatus: 'running' })
      const run = await getRun(database.db, runIds[0]!)
      expect(run.status).toBe('failed')
      expect(run.error).toContain('OutOfMemoryError: Container killed due to memory usage; exit code 137')
      expect((await getRun(database.db, runIds[1]!)).status).toBe('queued')
    })

    it('logs and drops the event of a Batch job that is not ours', async () => {
      const event = batchJobStateChangeEvent({ jobId: '6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', status: 'SUCCEEDED' })
      await expect(handler(event)).resolves.toMatchObject({ kind: 'ignored' })
      expect(JSON.parse(String(log.mock.calls.at(-1)?.[0]))).toMatchObject({
        message: 'batch job state change', eventId: event.id, status: 'SUCCEEDED', kind: 'ignored',
        reason: 'no bankbench job has the AWS Batch job id 6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
      })
    })

    it('sweeps on schedule: a job whose FAILED event was lost is failed from DescribeJobs', async () => {
      const { jobId, batchJobId } = await storeBatchJob(database.db, 1)
      batch.reset()
      batch.on(DescribeJobsCommand).callsFake((input: { jobs: string[] }) => ({
        jobs: input.jobs.map((id) => ({
          jobId: id, jobName: 'bankbench-dev-train', jobQueue: 'bankbench-dev-gpu-training', jobDefinition: 'bankbench-dev-trainer', startedAt: 1_764_000_000_000,
          status: id === batchJobId ? 'FAILED' : 'RUNNING', statusReason: id === batchJobId ? 'Job attempt duration exceeded timeout' : undefined,
        })),
      }))
      vi.stubEnv('AWS_REGION', 'eu-west-1')
      const result = await sweep({
        version: '0', id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012',
        time: '2026-11-25T17:30:00Z', region: 'eu-west-1', resources: ['arn:aws:events:eu-west-1:123456789012:rule/bankbench-dev-batch-sweep'], detail: {},
      })
      expect(result.reconciled).toContainEqual({ kind: 'reconciled', batchJobId, jobId, batchStatus: 'FAILED', jobStatus: 'failed' })
      expect((await getJob(database.db, jobId)).statusReason).toBe(`AWS Batch job ${batchJobId} failed: Job attempt duration exceeded timeout`)
    })
  })
}
