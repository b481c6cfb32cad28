/**
 * Fixtures for tests of the Batch adapter and of functions/batch-events: a stored
 * benchmark whose one job is on the `batch` queue, and state-change events shaped
 * as AWS Batch sends them (the example in the AWS Batch user guide, "Job state
 * change events", with this project's names).
 */
import { randomUUID } from 'node:crypto'
import { benchmarkSpecSchema } from '../../benchmarks/spec'
import { planRuns } from '../../benchmarks/plan'
import type { Database } from '../../db/connect'
import { newId } from '../../ids'
import { createBenchmark } from '../../repositories/benchmarks'
import { saveDataset } from '../../repositories/datasets'
import { getJob, setJobExternalId } from '../../repositories/jobs'
import type { BatchContainerExit, BatchJobStateChangeEvent, BatchJobStatus } from './batch-job-detail'

export interface StoredBatchJob {
  benchmarkId: string
  jobId: string
  runIds: string[]
  /** The AWS Batch job id stored as the job's external id. */
  batchJobId: string
}

/** Stores a dataset and a LoRA benchmark of `runs` runs (one `train` job), submitted to Batch as `batchJobId`. */
export async function storeBatchJob(db: Database, runs: number): Promise<StoredBatchJob> {
  const { benchmarkId, jobs: [job] } = await storeUnsubmittedBatchBenchmark(db, [{ method: 'lora', grid: { r: Array.from({ length: runs }, (_, i) => 2 ** (i + 1)) } }])
  const batchJobId = randomUUID()
  await setJobExternalId(db, job!.jobId, batchJobId)
  return { benchmarkId, jobId: job!.jobId, runIds: job!.runIds, batchJobId }
}

/**
 * Stores a dataset and a benchmark of these arms on the `batch` queue, committed but
 * never submitted (no external id): what a crash between the commit and SubmitJob
 * leaves. One job per job kind, the pretrain job first.
 */
export async function storeUnsubmittedBatchBenchmark(db: Database, arms: unknown[]): Promise<{ benchmarkId: string; jobs: { jobId: string; kind: string; runIds: string[] }[] }> {
  const { dataset } = await saveDataset(db, {
    id: newId('ds'), name: 'tiny', source: 'upload', contentHash: randomUUID(), labels: ['a', 'b'],
    splits: { train: 8, validation: 2, test: 2 }, artifactKey: `datasets/${randomUUID()}`,
  })
  const spec = benchmarkSpecSchema.parse({ dataset: dataset.id, arms })
  const { benchmark, jobIds } = await createBenchmark(db, {
    name: 'batch test', datasetId: dataset.id, spec, plannedRuns: planRuns(spec), queue: 'batch', timeoutSeconds: 3600, attempts: 2,
  })
  const jobs = []
  for (const jobId of jobIds) {
    const job = await getJob(db, jobId)
    jobs.push({ jobId, kind: job.kind, runIds: job.runIds })
  }
  return { benchmarkId: benchmark.id, jobs }
}

export interface StateChange {
  /** The Batch job id: a UUID, or `<parentId>:<index>` for an array child. */
  jobId: string
  status: BatchJobStatus
  statusReason?: string
  /** Each finished attempt's container exit and status reason, oldest first. */
  attempts?: { container: BatchContainerExit; statusReason: string }[]
  /** Set on an array parent. */
  arraySize?: number
}

const ACCOUNT = '123456789012'
const REGION = 'eu-west-1'

/** A "Batch Job State Change" event for a bankbench trainer job, as EventBridge delivers it. */
export function batchJobStateChangeEvent(change: StateChange): BatchJobStateChangeEvent {
  const jobArn = `arn:aws:batch:${REGION}:${ACCOUNT}:job/${change.jobId}`
  const [, childIndex] = change.jobId.split(':')
  const attempts = (change.attempts ?? []).map((attempt, index) => ({
    container: {
      containerInstanceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/bankbench-dev-gpu/${randomUUID().replaceAll('-', '')}`,
      taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/bankbench-dev-gpu/${randomUUID().replaceAll('-', '')}`,
      logStreamName: `bankbench-dev-trainer/default/${randomUUID().replaceAll('-', '')}`,
      networkInterfaces: [],
      ...attempt.container,
    },
    startedAt: 1_764_000_000_000 + index * 600_000,
    stoppedAt: 1_764_000_000_000 + index * 600_000 + 540_000,
    statusReason: attempt.statusReason,
  }))
  const lastExit = attempts.at(-1)?.container
  const event = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Batch Job State Change' as const,
    source: 'aws.batch',
    account: ACCOUNT,
    time: '2026-11-25T17:20:41Z',
    region: REGION,
    resources: [jobArn],
    detail: {
      jobArn,
      jobName: 'bankbench-dev-train-job_0123456789abcdef0123',
      jobId: change.jobId,
      jobQueue: `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/bankbench-dev-gpu-training`,
      status: change.status,
      ...(change.statusReason ? { statusReason: change.statusReason } : {}),
      attempts,
      createdAt: 1_763_999_900_000,
      retryStrategy: { attempts: 2, evaluateOnExit: [{ onStatusReason: 'Host EC2*', action: 'retry' }, { onReason: '*', action: 'exit' }] },
      ...(['RUNNING', 'SUCCEEDED', 'FAILED'].includes(change.status) ? { startedAt: 1_764_000_000_000 } : {}),
      ...(['SUCCEEDED', 'FAILED'].includes(change.status) ? { stoppedAt: 1_764_000_540_000 } : {}),
      dependsOn: [],
      jobDefinition: `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/bankbench-dev-trainer:3`,
      parameters: {},
      container: {
        image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/bankbench-trainer:2f1c9e0`,
        command: [],
        jobRoleArn: `arn:aws:iam::${ACCOUNT}:role/bankbench-dev-trainer-job`,
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/bankbench-dev-batch-execution`,
        volumes: [],
        environment: [
          { name: 'BANKBENCH_JOB_ID', value: 'job_0123456789abcdef0123' },
          { name: 'BANKBENCH_ARTIFACTS', value: 's3://bankbench-dev-artifacts' },
        ],
        mountPoints: [],
        ulimits: [],
        ...(lastExit ?? {}),
        networkInterfaces: [],
        resourceRequirements: [{ value: '1', type: 'GPU' }, { value: '8', type: 'VCPU' }, { value: '30000', type: 'MEMORY' }],
        secrets: [{ name: 'DATABASE_URL', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:bankbench-dev-database-url-AbCdEf` }],
      },
      ...(childIndex !== undefined ? { arrayProperties: { index: Number(childIndex) } } : {}),
      ...(change.arraySize ? { arrayProperties: { size: change.arraySize } } : {}),
      tags: { resourceArn: jobArn },
      propagateTags: true,
      platformCapabilities: ['EC2'],
    },
  }
  return event
}
