import { BatchClient } from '@aws-sdk/client-batch'
import { reconcileActiveBatchJobs, type EventBridgeEvent, type SweepResult } from '@bankbench/core'
import { database } from './database'

let client: BatchClient | undefined

/**
 * Runs on a schedule (an EventBridge "Scheduled Event"): asks Batch about every job
 * still active in the database, so a state change whose event was lost is still
 * recorded, and a job Batch no longer knows is failed.
 */
export async function handler(event: EventBridgeEvent<'Scheduled Event', unknown>): Promise<SweepResult> {
  client ??= new BatchClient({})
  const result = await reconcileActiveBatchJobs(await database(), client)
  const ignored = result.reconciled.filter((outcome) => outcome.kind === 'ignored')
  console.log(JSON.stringify({ message: 'batch sweep', eventId: event.id, described: result.reconciled.length, failedAsMissing: result.failedAsMissing, ignored }))
  return result
}
