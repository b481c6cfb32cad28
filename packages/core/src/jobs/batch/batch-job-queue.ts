import { ListJobsCommand, SubmitJobCommand, TerminateJobCommand, type BatchClient, type EvaluateOnExit, type JobSummary } from '@aws-sdk/client-batch'
import { eq } from 'drizzle-orm'
import type { Database } from '../../db/connect'
import { jobs } from '../../db/schema'
import { errorMessageForLog } from '../../describe-for-log'
import { listUnsubmittedJobs } from '../../repositories/job-outbox'
import { endActiveRuns, getJob } from '../../repositories/jobs'
import { CONTAINER_FOR_KIND, JOB_ENV, SubmissionDeferredError, type JobQueue, type JobSubmission } from '../job-queue'
import { isTerminal } from '../status'
import { submitStoredJobs, type SubmitStoredJobsResult } from '../submit-jobs'
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

/**
 * How old a job without an external id must be before the outbox pass submits it, in
 * seconds: the API submits a job right after committing it, so a younger one is most
 * likely being submitted now, and ListJobs may not list a job that young yet.
 */
export const SUBMIT_GRACE_SECONDS = 120

export interface OutboxOptions {
  /** Only jobs committed at least this long ago (default SUBMIT_GRACE_SECONDS). */
  graceSeconds?: number
  now?: Date
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
 * (sweepBatchJobs) that catches any event that was lost. The committed job row is
 * the outbox of submissions: a job without a Batch job id is still to submit, and the
 * sweep (and a startup pass, createPlatform) submits what a crash left unsubmitted.
 */
export class BatchJobQueue implements JobQueue {
  readonly name = 'batch' as const
  private readonly resources: BatchResourceNames

  constructor(private readonly options: BatchJobQueueOptions) {
    this.resources = batchResourceNames(options.stage)
  }

  /**
   * Submits a committed job once. The job row is the outbox: it is locked (FOR UPDATE
   * SKIP LOCKED) for the length of the submission and the Batch job id is recorded in
   * the same transaction, so two submitters (the API, the sweep, a startup pass) never
   * both submit it: the second finds the id, or finds the row locked and defers. A job
   * whose id was lost after Batch accepted it (the process died before the commit, the
   * response never arrived) is found by its name, which carries our job id, when it is
   * submitted again with `resubmission` (the sweep's outbox pass): SubmitJob has no
   * idempotency token, so ListJobs with a JOB_NAME filter stands in for one.
   */
  async submit(job: JobSubmission): Promise<{ externalId: string }> {
    if (!Number.isInteger(job.arraySize) || job.arraySize < 1 || job.arraySize > BATCH_LIMITS.arraySize) {
      throw new Error(`AWS Batch runs 1 to ${BATCH_LIMITS.arraySize} runs per job; job ${job.jobId} has ${job.arraySize}`)
    }
    if (!Number.isInteger(job.attempts) || job.attempts < 1 || job.attempts > BATCH_LIMITS.attempts) {
      throw new Error(`AWS Batch allows 1 to ${BATCH_LIMITS.attempts} attempts; job ${job.jobId} asks for ${job.attempts} (BANKBENCH_JOB_ATTEMPTS)`)
    }
    const jobName = this.jobNameOf(job)
    const jobQueue = this.resources.jobQueue[CONTAINER_FOR_KIND[job.kind]]
    return this.options.db.transaction(async (tx) => {
      const [row] = await tx.select({ externalId: jobs.externalId, status: jobs.status }).from(jobs).where(eq(jobs.id, job.jobId)).for('update', { skipLocked: true })
      if (!row) {
        const [stored] = await tx.select({ id: jobs.id }).from(jobs).where(eq(jobs.id, job.jobId))
        if (!stored) throw new Error(`job ${job.jobId} is not stored; only a committed job is submitted`)
        throw new SubmissionDeferredError(`job ${job.jobId} is being submitted by another process`)
      }
      if (row.externalId) return { externalId: row.externalId }
      if (isTerminal(row.status)) throw new Error(`job ${job.jobId} is already ${row.status}; it is not submitted`)
      const externalId = (job.resubmission ? await this.adoptSubmitted(job.jobId, jobName, jobQueue) : undefined)
        ?? await this.submitToBatch(job, jobName, jobQueue)
      await tx.update(jobs).set({ externalId }).where(eq(jobs.id, job.jobId))
      return { externalId }
    })
  }

  /**
   * The outbox pass (the sweep, and a startup pass): submits every active job that has
   * no Batch job id and was committed before the grace period, exactly once (`submit`
   * with `resubmission`). What Batch cannot be asked now stays for the next pass.
   */
  async submitOutstanding(options: OutboxOptions = {}): Promise<SubmitStoredJobsResult> {
    const cutoff = new Date((options.now ?? new Date()).getTime() - (options.graceSeconds ?? SUBMIT_GRACE_SECONDS) * 1000)
    const outstanding = await listUnsubmittedJobs(this.options.db, 'batch', cutoff)
    return submitStoredJobs(this.options.db, this, outstanding.map((job) => job.id), { resubmission: true })
  }

  /**
   * Our record first: the active runs are cancelled in the database, then Batch is
   * told. So a container that starts meanwhile cannot claim a run (startRun refuses a
   * cancelled one), the termination's FAILED event finds the runs already cancelled,
   * and a TerminateJob that fails leaves the cancellation recorded. TerminateJob stops
   * the job in any state (queued ones too, unlike CancelJob) and, for an array parent,
   * every child.
   */
  async cancel(jobId: string, externalId: string | null, reason: string): Promise<void> {
    await endActiveRuns(this.options.db, jobId, 'cancelled', reason)
    // Read the id again: a submission in flight when the caller read the job has recorded it since
    // (the roll-up above waits for its row lock). No id: the job never reached Batch, and now never will.
    const recorded = (await getJob(this.options.db, jobId)).externalId ?? externalId
    if (recorded) {
      await this.options.client.send(new TerminateJobCommand({ jobId: recorded, reason: reason.slice(0, BATCH_LIMITS.terminateReason) }))
    }
  }

  /** What Batch knows of these jobs now (DescribeJobs, 100 ids per call). */
  describe(externalIds: string[]): Promise<BatchJobDetail[]> {
    return describeBatchJobs(this.options.client, externalIds)
  }

  get db(): Database {
    return this.options.db
  }

  get client(): BatchClient {
    return this.options.client
  }

  /** The Batch job name of one of our jobs: unique, since it carries our job id, and what ListJobs finds it by. */
  jobNameOf(job: Pick<JobSubmission, 'jobId' | 'kind'>): string {
    return batchJobName(`bankbench-${this.options.stage}-${job.kind}-${job.jobId}`)
  }

  private async submitToBatch(job: JobSubmission, jobName: string, jobQueue: string): Promise<string> {
    const container = CONTAINER_FOR_KIND[job.kind]
    const output = await deferWhenUnanswered('SubmitJob', () => this.options.client.send(new SubmitJobCommand({
      jobName,
      jobQueue,
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
    })))
    if (!output.jobId) throw new Error(`AWS Batch accepted job ${job.jobId} without returning its id`)
    // The SDK sends a request again when an attempt got no answer; that attempt may have created a job too.
    if ((output.$metadata?.attempts ?? 1) > 1) {
      await this.adoptSubmitted(job.jobId, jobName, jobQueue, output.jobId)
        .catch((error) => console.warn(`could not look for duplicates of job ${job.jobId} (${jobName}): ${errorMessageForLog(error)}`))
    }
    return output.jobId
  }

  /**
   * The Batch job already submitted for our job, found by its name (ListJobs, JOB_NAME
   * filter, every status), or undefined. One job is kept (`keep`, else the oldest) and
   * any other of the same name is terminated: two Batch jobs must never run one job's runs.
   */
  private async adoptSubmitted(jobId: string, jobName: string, jobQueue: string, keep?: string): Promise<string | undefined> {
    const found: JobSummary[] = []
    let nextToken: string | undefined
    do {
      const page = await deferWhenUnanswered('ListJobs', () => this.options.client.send(new ListJobsCommand({
        jobQueue, filters: [{ name: 'JOB_NAME', values: [jobName] }], ...(nextToken ? { nextToken } : {}),
      })))
      // The filter is case-insensitive; our names are exact.
      found.push(...(page.jobSummaryList ?? []).filter((summary) => summary.jobName === jobName && summary.jobId))
      nextToken = page.nextToken
    } while (nextToken)
    found.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))
    const kept = keep ?? found[0]?.jobId
    for (const duplicate of found) {
      if (duplicate.jobId === kept || duplicate.status === 'SUCCEEDED' || duplicate.status === 'FAILED') continue
      await this.options.client.send(new TerminateJobCommand({ jobId: duplicate.jobId!, reason: `a duplicate submission of bankbench job ${jobId}; AWS Batch job ${kept} runs it` }))
        // Not a reason to leave the job unrecorded: the kept one is its Batch job either way.
        .catch((error) => console.warn(`could not terminate AWS Batch job ${duplicate.jobId}, a duplicate of job ${jobId}: ${errorMessageForLog(error)}`))
    }
    return kept
  }
}

/**
 * Runs a Batch call whose failure, when Batch never answered it (a network error, a
 * timeout, throttling, a server fault), defers the submission to a later pass rather
 * than failing the job; an answer that refuses (a ClientException: a bad request, no
 * permission) is thrown as it is.
 */
async function deferWhenUnanswered<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (isTransientBatchError(error)) throw new SubmissionDeferredError(`AWS Batch ${operation} failed for now: ${errorMessageForLog(error)}`, { cause: error })
    throw error
  }
}

/** Whether an AWS SDK error leaves a request worth sending again: no answer, throttled, or a server fault. */
export function isTransientBatchError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const { $fault, $retryable, $metadata } = error as { $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } }
  if ($retryable || $fault === 'server' || $metadata?.httpStatusCode === 429) return true
  // A service exception carries its fault; anything else (ECONNRESET, a timeout) never got an answer.
  return $fault === undefined
}

/** A valid Batch job name: letters, digits, hyphens and underscores, starting with a letter or digit, at most 128. */
export function batchJobName(wanted: string): string {
  const name = wanted.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, BATCH_LIMITS.jobName)
  return /^[A-Za-z0-9]/.test(name) ? name : `j${name.slice(0, BATCH_LIMITS.jobName - 1)}`
}
