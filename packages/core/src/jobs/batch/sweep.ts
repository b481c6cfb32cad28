import { DescribeJobsCommand, type BatchClient } from '@aws-sdk/client-batch'
import type { Database } from '../../db/connect'
import { endActiveRuns, listActiveJobs } from '../../repositories/jobs'
import type { SubmitStoredJobsResult } from '../submit-jobs'
import type { BatchJobDetail } from './batch-job-detail'
import type { BatchJobQueue } from './batch-job-queue'
import { reconcileBatchJob, type ReconcileOutcome } from './reconcile'

/** DescribeJobs takes at most 100 job ids per call. */
const DESCRIBE_BATCH_SIZE = 100

/** What Batch knows of these jobs now; ids it does not know are left out. */
export async function describeBatchJobs(client: BatchClient, batchJobIds: string[]): Promise<BatchJobDetail[]> {
  const details: BatchJobDetail[] = []
  for (let start = 0; start < batchJobIds.length; start += DESCRIBE_BATCH_SIZE) {
    const { jobs = [] } = await client.send(new DescribeJobsCommand({ jobs: batchJobIds.slice(start, start + DESCRIBE_BATCH_SIZE) }))
    for (const job of jobs) if (job.jobId && job.status) details.push({ ...job, jobId: job.jobId, status: job.status })
  }
  return details
}

export interface SweepOptions {
  /**
   * A job Batch does not know is failed only once it is older than this, in
   * seconds (default 600): a job submitted a moment ago may not be described yet.
   */
  missingGraceSeconds?: number
  /** A job without a Batch job id is submitted once it is older than this, in seconds (default SUBMIT_GRACE_SECONDS). */
  submitGraceSeconds?: number
  /** Jobs submitted by this sweep a moment ago: Batch may not describe them yet, so they are never missing. */
  justSubmitted?: ReadonlySet<string>
  now?: Date
}

export interface SweepResult {
  /** One outcome per job Batch described. */
  reconciled: ReconcileOutcome[]
  /** Our ids of active jobs that Batch no longer knows, now failed. */
  failedAsMissing: string[]
  /** The outbox pass (sweepBatchJobs): jobs submitted or found submitted, refused (now failed), left for the next sweep. */
  outbox?: { submitted: string[]; refused: string[]; deferred: string[] }
}

/**
 * The safety net under the EventBridge events, for a schedule: asks Batch about
 * every job we still think is active and reconciles each exactly as its event
 * would, so a lost event delays a status, never loses it. An array parent is only
 * ever SUBMITTED, PENDING or finished, so a child's failure is seen here when the
 * whole array has finished; its own event usually reports it sooner.
 */
export async function reconcileActiveBatchJobs(db: Database, client: BatchClient, options: SweepOptions = {}): Promise<SweepResult> {
  const active = (await listActiveJobs(db, 'batch')).flatMap((job) => (job.externalId ? [{ ...job, externalId: job.externalId }] : []))
  const details = await describeBatchJobs(client, active.map((job) => job.externalId))
  const reconciled: ReconcileOutcome[] = []
  for (const detail of details) reconciled.push(await reconcileBatchJob(db, detail))
  const described = new Set(details.map((detail) => detail.jobId))
  const cutoff = (options.now ?? new Date()).getTime() - (options.missingGraceSeconds ?? 600) * 1000
  const failedAsMissing: string[] = []
  for (const job of active) {
    if (described.has(job.externalId) || job.createdAt.getTime() > cutoff || options.justSubmitted?.has(job.id)) continue
    await endActiveRuns(db, job.id, 'failed', `AWS Batch no longer knows job ${job.externalId}; it ended without a status change reaching bankbench`)
    failedAsMissing.push(job.id)
  }
  return { reconciled, failedAsMissing }
}

/**
 * The scheduled sweep: first the outbox (every job committed without a Batch job id,
 * past the grace period, is submitted exactly once: BatchJobQueue.submitOutstanding),
 * then every active job is reconciled with what Batch says (reconcileActiveBatchJobs).
 * So neither a crash between commit and SubmitJob nor a lost event leaves a run queued
 * for ever.
 */
export async function sweepBatchJobs(queue: BatchJobQueue, options: SweepOptions = {}): Promise<SweepResult> {
  const outbox: SubmitStoredJobsResult = await queue.submitOutstanding({
    ...(options.submitGraceSeconds !== undefined ? { graceSeconds: options.submitGraceSeconds } : {}),
    ...(options.now ? { now: options.now } : {}),
  })
  const submitted = outbox.submitted.map((entry) => entry.jobId)
  const result = await reconcileActiveBatchJobs(queue.db, queue.client, { ...options, justSubmitted: new Set([...submitted, ...(options.justSubmitted ?? [])]) })
  return { ...result, outbox: { submitted, refused: outbox.refused, deferred: outbox.deferred } }
}
