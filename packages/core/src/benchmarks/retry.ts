import { ProblemError } from '../errors'
import { submitStoredJobs } from '../jobs/submit-jobs'
import { requeueRunAsNewJob } from '../repositories/jobs'
import { getRun, type RunRow } from '../repositories/runs'
import type { BenchmarkServices } from './service'

/**
 * Runs a failed or cancelled run again, alone: it goes back to queued in a new job
 * of its kind (array size 1) that is submitted to the queue; its next claim is a
 * new attempt. Other runs of its benchmark are untouched. A run in any other state
 * is a 409 problem.
 */
export async function retryRun(services: BenchmarkServices, runId: string): Promise<RunRow> {
  const run = await getRun(services.db, runId)
  const job = await requeueRunAsNewJob(services.db, runId, { queue: services.queue.name, attempts: services.jobAttempts })
  if (!job) {
    throw new ProblemError('invalid-state', `run '${runId}' is ${run.status === 'failed' || run.status === 'cancelled' ? 'no longer failed or cancelled' : run.status}; only a failed or cancelled run can be retried`)
  }
  // A refusal fails the run again with the queue's reason; a deferred submission is the Batch sweep's.
  await submitStoredJobs(services.db, services.queue, [job.id])
  return getRun(services.db, runId)
}
