import { SubmitJobCommand, TerminateJobCommand, type BatchClient, type EvaluateOnExit } from '@aws-sdk/client-batch'
import type { Database } from '../../db/connect'
import { endActiveRuns, setJobExternalId } from '../../repositories/jobs'
import { CONTAINER_FOR_KIND, JOB_ENV, type JobQueue, type JobSubmission } from '../job-queue'
import type { BatchJobDetail } from './batch-job-detail'
import { BATCH_TAGS, batchResourceNames, type BatchResourceNames } from './batch-settings'
import { describeBatchJobs } from './sweep'

export interface BatchJobQueueOptions {
  db: Database
  client: BatchClient
  /** The SST stage whose job queues and job definitions receive the jobs (see batchResourceNames). */
  stage: string
  /** BANKBENCH_ARTIFACTS handed to the containers (an s3:// URI on AWS). */
  artifactsUri: string
}

/** Limits of the SubmitJob and TerminateJob APIs. */
const BATCH_LIMITS = { jobName: 128, arraySize: 10_000, attempts: 10, minAttemptSeconds: 60, terminateReason: 1024 } as const

/**
 * Which failed attempts Batch retries (up to the job's `attempts`): only those where
 * the infrastructure failed, not our code. A spot reclaim or a dead host
 * (`Host EC2 (instance i-…) terminated.`) or an image pull that failed says nothing
 * about the run, and the new attempt resumes from its checkpoint. Everything else
 * exits: the container records a handled failure on its run before exiting non-zero
 * (a new attempt could not claim that run again), and an OOM kill or a crash repeats
 * on the same hardware, because training is deterministic for a seed. Timeouts are
 * never retried by Batch. The final `*` rule is needed because Batch retries an
 * exit that matches no rule.
 *
 * This is narrower than the local runner, which retries any non-zero exit: on a
 * laptop a retry is free; on Batch it holds a GPU instance.
 */
export const BATCH_RETRY_RULES: EvaluateOnExit[] = [
  { onStatusReason: 'Host EC2*', action: 'RETRY' },
  { onStatusReason: 'CannotPullContainerError*', action: 'RETRY' },
  { onReason: 'CannotPullContainerError*', action: 'RETRY' },
  { onReason: '*', action: 'EXIT' },
]

/**
 * Runs jobs on AWS Batch: each job kind's container has its job queue and job
 * definition (batch-settings); a job with several runs is one array job whose
 * child i executes run i. Status comes back through EventBridge "Batch Job State
 * Change" events (functions/batch-events, reconcileBatchJob) and a periodic sweep
 * (reconcileActiveBatchJobs) that catches any event that was lost.
 */
export class BatchJobQueue implements JobQueue {
  readonly name = 'batch' as const
  private readonly resources: BatchResourceNames

  constructor(private readonly options: BatchJobQueueOptions) {
    this.resources = batchResourceNames(options.stage)
  }

  async submit(job: JobSubmission): Promise<{ externalId: string }> {
    if (!Number.isInteger(job.arraySize) || job.arraySize < 1 || job.arraySize > BATCH_LIMITS.arraySize) {
      throw new Error(`AWS Batch runs 1 to ${BATCH_LIMITS.arraySize} runs per job; job ${job.jobId} has ${job.arraySize}`)
    }
    if (!Number.isInteger(job.attempts) || job.attempts < 1 || job.attempts > BATCH_LIMITS.attempts) {
      throw new Error(`AWS Batch allows 1 to ${BATCH_LIMITS.attempts} attempts; job ${job.jobId} asks for ${job.attempts} (BANKBENCH_JOB_ATTEMPTS)`)
    }
    const container = CONTAINER_FOR_KIND[job.kind]
    const { jobId: externalId } = await this.options.client.send(new SubmitJobCommand({
      jobName: batchJobName(`bankbench-${this.options.stage}-${job.kind}-${job.jobId}`),
      jobQueue: this.resources.jobQueue[container],
      // A name without a revision: the latest active revision, so a deploy takes effect without touching this code.
      jobDefinition: this.resources.jobDefinition[container],
      // Batch's array jobs have 2 to 10,000 children; a single run is a plain job.
      ...(job.arraySize > 1 ? { arrayProperties: { size: job.arraySize } } : {}),
      // Batch starts it once every dependency SUCCEEDED, and fails it when one fails.
      ...(job.dependsOn?.length ? { dependsOn: job.dependsOn.map((dependency) => ({ jobId: dependency.externalId })) } : {}),
      retryStrategy: { attempts: job.attempts, evaluateOnExit: BATCH_RETRY_RULES },
      // Per attempt (per child for an array job), like the local runner's timer.
      timeout: { attemptDurationSeconds: Math.max(BATCH_LIMITS.minAttemptSeconds, Math.ceil(job.timeoutSeconds)) },
      containerOverrides: {
        environment: [
          { name: JOB_ENV.jobId, value: job.jobId },
          { name: JOB_ENV.artifacts, value: this.options.artifactsUri },
        ],
      },
      tags: { [BATCH_TAGS.stage]: this.options.stage, [BATCH_TAGS.jobId]: job.jobId, [BATCH_TAGS.kind]: job.kind },
      propagateTags: true,
    }))
    if (!externalId) throw new Error(`AWS Batch accepted job ${job.jobId} without returning its id`)
    await setJobExternalId(this.options.db, job.jobId, externalId)
    return { externalId }
  }

  /**
   * TerminateJob stops the job in any state (queued ones too, unlike CancelJob) and,
   * for an array parent, every child. Its FAILED events arrive later and find the
   * runs already cancelled.
   */
  async cancel(jobId: string, externalId: string | null, reason: string): Promise<void> {
    // No external id: the submission never reached Batch, so there is nothing to stop there.
    if (externalId) {
      await this.options.client.send(new TerminateJobCommand({ jobId: externalId, reason: reason.slice(0, BATCH_LIMITS.terminateReason) }))
    }
    await endActiveRuns(this.options.db, jobId, 'cancelled', reason)
  }

  /** What Batch knows of these jobs now (DescribeJobs, 100 ids per call). */
  describe(externalIds: string[]): Promise<BatchJobDetail[]> {
    return describeBatchJobs(this.options.client, externalIds)
  }
}

/** A valid Batch job name: letters, digits, hyphens and underscores, starting with a letter or digit, at most 128. */
export function batchJobName(wanted: string): string {
  const name = wanted.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, BATCH_LIMITS.jobName)
  return /^[A-Za-z0-9]/.test(name) ? name : `j${name.slice(0, BATCH_LIMITS.jobName - 1)}`
}
