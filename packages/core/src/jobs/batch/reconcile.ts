import type { Database } from '../../db/connect'
import { endActiveRuns, findJobByExternalId, getJob, markJobRunning, ownsRuns, rollUpJob } from '../../repositories/jobs'
import { listActiveRunIds } from '../../repositories/runs'
import type { JobStatus } from '../job-queue'
import type { BatchJobDetail, BatchJobStatus } from './batch-job-detail'

export type ReconcileOutcome =
  | { kind: 'ignored'; batchJobId: string; reason: string }
  | { kind: 'reconciled'; batchJobId: string; jobId: string; batchStatus: BatchJobStatus; jobStatus: JobStatus }

/** Why a run is failed when Batch says its container succeeded but the run never completed. */
export const EXITED_WITHOUT_RESULT = 'the container exited 0 without recording a result'

/**
 * Brings a job and its runs in line with what AWS Batch reports about one Batch
 * job (a single job, an array parent, or an array child), from an EventBridge
 * event or from DescribeJobs:
 *
 * - SUBMITTED, PENDING, RUNNABLE, STARTING: nothing to do; the runs stay queued (a
 *   retried attempt passes through RUNNABLE again, and its run stays as it was).
 * - RUNNING: the job is running. Runs are claimed by their container (startRun).
 * - SUCCEEDED: the container recorded its own result before exiting 0; a run still
 *   active now never will be, and fails.
 * - FAILED: runs still active fail with Batch's reasons (spot reclaim, OOM, timeout,
 *   termination), so a job killed from outside is never left running.
 *
 * A child (`<parentId>:<index>`) touches only the run at `runIds[index]`; a parent
 * or single job touches all of the job's runs (an array parent reaches FAILED or
 * SUCCEEDED only once every child has finished). Safe to repeat and to receive out
 * of order: terminal runs are never changed, and a job is only marked running while
 * it is still active.
 */
export async function reconcileBatchJob(db: Database, detail: BatchJobDetail): Promise<ReconcileOutcome> {
  const batchJobId = detail.jobId
  const { parentId, arrayIndex } = parseBatchJobId(detail)
  const job = await findJobByExternalId(db, parentId)
  if (!job) return { kind: 'ignored', batchJobId, reason: `no bankbench job has the AWS Batch job id ${parentId}` }
  let runIds = job.runIds
  if (arrayIndex !== undefined) {
    const runId = job.runIds[arrayIndex]
    if (!runId) return { kind: 'ignored', batchJobId, reason: `job ${job.id} has ${job.runIds.length} runs; array index ${arrayIndex} is out of range` }
    runIds = [runId]
  }
  if (detail.status === 'RUNNING') await markJobRunning(db, job.id)
  if (detail.status === 'SUCCEEDED') await failRunsLeftActive(db, job.id, runIds, EXITED_WITHOUT_RESULT)
  if (detail.status === 'FAILED') await failRunsLeftActive(db, job.id, runIds, describeBatchFailure(detail))
  return { kind: 'reconciled', batchJobId, jobId: job.id, batchStatus: detail.status, jobStatus: (await getJob(db, job.id)).status }
}

/**
 * Fails the runs among `runIds` that are still active. With none left, the job is
 * still rolled up (a repeated event heals a status a lost update left behind) but
 * gets no failure reason: a run that finished on its own keeps its own story.
 */
async function failRunsLeftActive(db: Database, jobId: string, runIds: string[], reason: string): Promise<void> {
  // A job with no runs of its own (an analysis) that is still active failed with the container.
  if (!(await ownsRuns(db, jobId))) return endActiveRuns(db, jobId, 'failed', reason)
  const leftActive = await listActiveRunIds(db, jobId, runIds)
  if (leftActive.length > 0) await endActiveRuns(db, jobId, 'failed', reason, leftActive)
  else await rollUpJob(db, jobId)
}

/** The job id we stored (the parent's for an array child) and, for a child, its index. */
export function parseBatchJobId(detail: BatchJobDetail): { parentId: string; arrayIndex: number | undefined } {
  const [parentId, indexSuffix] = detail.jobId.split(':')
  if (indexSuffix === undefined) return { parentId: detail.jobId, arrayIndex: undefined }
  return { parentId: parentId!, arrayIndex: detail.arrayProperties?.index ?? Number(indexSuffix) }
}

/**
 * The failure reason a run records: Batch's status reason, then the container's
 * reason and exit code from the last attempt, e.g. `AWS Batch job 4c75…:1 failed:
 * Essential container in task exited; OutOfMemoryError: Container killed due to
 * memory usage; exit code 137 (after 2 attempts, log stream bankbench/trainer/…)`.
 */
export function describeBatchFailure(detail: BatchJobDetail): string {
  const attempts = detail.attempts ?? []
  const lastAttempt = attempts.at(-1)
  const container = lastAttempt?.container ?? detail.container
  const causes = [
    detail.statusReason ?? lastAttempt?.statusReason ?? 'no reason given',
    container?.reason,
    typeof container?.exitCode === 'number' ? `exit code ${container.exitCode}` : undefined,
  ].filter((cause): cause is string => Boolean(cause))
  const context = [
    attempts.length > 0 ? `after ${attempts.length} attempt${attempts.length === 1 ? '' : 's'}` : undefined,
    container?.logStreamName ? `log stream ${container.logStreamName}` : undefined,
  ].filter(Boolean)
  return `AWS Batch job ${detail.jobId} failed: ${causes.join('; ')}${context.length > 0 ? ` (${context.join(', ')})` : ''}`
}
