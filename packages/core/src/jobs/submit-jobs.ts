import type { Database } from '../db/connect'
import { errorMessageForLog } from '../describe-for-log'
import { endActiveRuns, getJob, listJobsOfBenchmark, type JobRow } from '../repositories/jobs'
import { dependsOnKind, jobKindRank, SubmissionDeferredError, type JobQueue } from './job-queue'
import { isTerminal } from './status'

export interface SubmitStoredJobsOptions {
  /** The jobs may have reached the queue already (the sweep's outbox pass): see JobSubmission.resubmission. */
  resubmission?: boolean
}

export interface SubmitStoredJobsResult {
  /** Jobs that now have an external id: submitted, or found already submitted. */
  submitted: { jobId: string; externalId: string }[]
  /** Jobs the queue refused, now failed with its reason. */
  refused: string[]
  /** Jobs left to submit by a later pass: the queue could not be reached, or a pretrain job they wait for has no id yet. */
  deferred: string[]
}

/**
 * Submits committed jobs to the queue, dependencies first (the pretrain job, then the rest, hybrid jobs last). The job
 * row is the outbox: a job without an external id is still to submit, and the queue
 * records the id when it has one, so a job is never submitted twice and never
 * forgotten (what this pass leaves, the Batch sweep submits). A job that is terminal
 * (cancelled before it was submitted) or already has its id is skipped.
 *
 * A job waits for its benchmark's active jobs of the kinds it depends on (JOB_DEPENDENCIES:
 * the pretrain job makes the base model; a hybrid job reads a train or baseline run): submitted with their external ids as dependencies, or
 * deferred while one has none yet. A job the queue refuses is failed with the reason.
 */
export async function submitStoredJobs(db: Database, queue: JobQueue, jobIds: readonly string[], options: SubmitStoredJobsOptions = {}): Promise<SubmitStoredJobsResult> {
  const result: SubmitStoredJobsResult = { submitted: [], refused: [], deferred: [] }
  const stored: JobRow[] = []
  for (const jobId of jobIds) stored.push(await getJob(db, jobId))
  stored.sort((a, b) => jobKindRank(a.kind) - jobKindRank(b.kind))
  for (const { id: jobId } of stored) {
    // Read again: an earlier submission of this pass, or another submitter, may have changed it.
    const job = await getJob(db, jobId)
    if (job.externalId || isTerminal(job.status)) continue
    const dependencies = jobKindRank(job.kind) === 0 || !job.benchmarkId ? [] : (await listJobsOfBenchmark(db, job.benchmarkId))
      .filter((other) => dependsOnKind(job.kind, other.kind) && other.id !== job.id && !isTerminal(other.status))
    if (dependencies.some((dependency) => !dependency.externalId)) {
      result.deferred.push(jobId)
      continue
    }
    try {
      const { externalId } = await queue.submit({
        jobId, kind: job.kind, arraySize: job.arraySize, timeoutSeconds: job.timeoutSeconds, attempts: job.attempts,
        dependsOn: dependencies.map((dependency) => ({ jobId: dependency.id, externalId: dependency.externalId! })),
        ...(options.resubmission ? { resubmission: true } : {}),
      })
      result.submitted.push({ jobId, externalId })
    } catch (error) {
      if (error instanceof SubmissionDeferredError) {
        console.warn(`job ${jobId} stays to submit: ${errorMessageForLog(error)}`)
        result.deferred.push(jobId)
        continue
      }
      await endActiveRuns(db, jobId, 'failed', `the ${queue.name} queue refused the job: ${error instanceof Error ? error.message : String(error)}`)
      result.refused.push(jobId)
    }
  }
  return result
}
