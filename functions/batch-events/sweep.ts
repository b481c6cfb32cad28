import { BatchClient } from '@aws-sdk/client-batch'
import { BatchJobQueue, sweepBatchJobs, type EventBridgeEvent, type SweepResult } from '@bankbench/core'
import { setting, settingText } from '@bankbench/settings'
import { database } from './database'

let client: BatchClient | undefined

/**
 * Runs on a schedule (an EventBridge "Scheduled Event"): submits every job that was
 * committed but never reached Batch (the outbox: a process that died between its
 * commit and SubmitJob), then asks Batch about every job still active in the
 * database, so a state change whose event was lost is still recorded, and a job
 * Batch no longer knows is failed. Submitting needs the stage (BANKBENCH_STAGE: its
 * queues and job definitions) and the containers' BANKBENCH_ARTIFACTS, as the API does.
 */
export async function handler(event: EventBridgeEvent<'Scheduled Event', unknown>): Promise<SweepResult> {
  // Set explicitly, never BANKBENCH_STAGE's default: submitting to another stage's queues would be worse than failing.
  const stage = settingText('BANKBENCH_STAGE')
  const artifactsUri = setting('BANKBENCH_ARTIFACTS')
  if (!stage || !artifactsUri) throw new Error('BANKBENCH_STAGE and BANKBENCH_ARTIFACTS must be set: the sweep submits the jobs left unsubmitted to that stage\'s queues')
  client ??= new BatchClient({})
  const queue = new BatchJobQueue({ db: await database(), client, stage, artifactsUri })
  const result = await sweepBatchJobs(queue)
  const ignored = result.reconciled.filter((outcome) => outcome.kind === 'ignored')
  console.log(JSON.stringify({ message: 'batch sweep', eventId: event.id, described: result.reconciled.length, failedAsMissing: result.failedAsMissing, outbox: result.outbox, ignored }))
  return result
}
