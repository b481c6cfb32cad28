import { and, asc, eq, inArray, isNull, lt } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { jobs } from '../db/schema'
import { ACTIVE_STATUSES } from '../jobs/status'
import type { JobRow } from './jobs'

/**
 * The outbox of a queue: its active jobs that have no external id, committed before
 * `createdBefore`. A job row is committed before it is submitted, and the submission
 * records the external id, so such a job never reached the queue or its id was lost;
 * the Batch sweep submits it (BatchJobQueue.submitOutstanding). Oldest first.
 */
export async function listUnsubmittedJobs(db: Database, queue: 'local' | 'batch', createdBefore: Date): Promise<JobRow[]> {
  return db.select().from(jobs)
    .where(and(eq(jobs.queue, queue), inArray(jobs.status, [...ACTIVE_STATUSES]), isNull(jobs.externalId), lt(jobs.createdAt, createdBefore)))
    .orderBy(asc(jobs.createdAt), asc(jobs.id))
}
