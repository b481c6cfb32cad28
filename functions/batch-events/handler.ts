import { reconcileBatchJob, type BatchJobStateChangeEvent, type ReconcileOutcome } from '@bankbench/core'
import { database } from './database'

/**
 * Receives every AWS Batch "Job State Change" of the stage's job queues (an
 * EventBridge rule, see batchJobStateChangePattern) and brings the job and its runs
 * in line. A Batch job that is not ours is logged and dropped, never thrown:
 * EventBridge would redeliver it for a day. A database error is thrown, so the
 * event is retried.
 */
export async function handler(event: BatchJobStateChangeEvent): Promise<ReconcileOutcome> {
  const outcome = await reconcileBatchJob(await database(), event.detail)
  console.log(JSON.stringify({ message: 'batch job state change', eventId: event.id, status: event.detail.status, ...outcome }))
  return outcome
}
