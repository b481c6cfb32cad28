import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { benchmarks, jobs, runs } from '../db/schema'
import { storedReason } from '../describe-for-log'
import { notFound } from '../errors'
import { newId } from '../ids'
import type { JobStatus } from '../jobs/job-queue'
import { ACTIVE_STATUSES } from '../jobs/status'

export type JobRow = typeof jobs.$inferSelect

export async function getJob(db: Database, id: string): Promise<JobRow> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id))
  if (!row) throw notFound('job', id)
  return row
}

export async function findJobByExternalId(db: Database, externalId: string): Promise<JobRow | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.externalId, externalId))
  return row
}

export async function listJobsOfBenchmark(db: Database, benchmarkId: string): Promise<JobRow[]> {
  return db.select().from(jobs).where(eq(jobs.benchmarkId, benchmarkId))
}

export async function listActiveJobs(db: Database, queue: 'local' | 'batch'): Promise<JobRow[]> {
  return db.select().from(jobs).where(and(eq(jobs.queue, queue), inArray(jobs.status, [...ACTIVE_STATUSES])))
}

export async function setJobExternalId(db: Database, id: string, externalId: string): Promise<void> {
  await db.update(jobs).set({ externalId }).where(eq(jobs.id, id))
}

export async function heartbeatJob(db: Database, id: string): Promise<void> {
  await db.update(jobs).set({ heartbeatAt: sql`now()` }).where(eq(jobs.id, id))
}

/** The run an array child executes: run_ids[index]. */
export async function runIdForArrayChild(db: Database, jobId: string, arrayIndex: number): Promise<string> {
  const job = await getJob(db, jobId)
  const runId = job.runIds[arrayIndex]
  if (!runId) throw new Error(`job ${jobId} has ${job.runIds.length} runs; array index ${arrayIndex} is out of range`)
  return runId
}

/**
 * Ends every still-active run of a job (and so the job) as failed or cancelled.
 * Used when a process dies, a timeout fires, Batch reports FAILED, or a user cancels:
 * nothing is ever left "running" after its process is gone. A job that owns no runs
 * (an analysis of a finished run) is ended itself; the run it read is left alone.
 */
export async function endActiveRuns(db: Database, jobId: string, status: 'failed' | 'cancelled', reason: string, runIds?: string[]): Promise<void> {
  if (!(await ownsRuns(db, jobId))) {
    await finishJob(db, jobId, status, reason)
    return
  }
  await db.update(runs).set({ status, error: storedReason(reason), finishedAt: sql`now()` })
    .where(and(eq(runs.jobId, jobId), inArray(runs.status, [...ACTIVE_STATUSES]), runIds ? inArray(runs.id, runIds) : undefined))
  await rollUpJob(db, jobId, reason)
}

/** Whether any run is executed by this job (runs.job_id); an analysis job only reads the run it names. */
export async function ownsRuns(db: Database, jobId: string): Promise<boolean> {
  const [owned] = await db.select({ id: runs.id }).from(runs).where(eq(runs.jobId, jobId)).limit(1)
  return owned !== undefined
}

/**
 * Ends an active job that owns no runs, whose status cannot be rolled up from
 * them; a job already terminal keeps its status. False when nothing changed.
 */
export async function finishJob(db: Database, jobId: string, status: 'succeeded' | 'failed' | 'cancelled', reason?: string): Promise<boolean> {
  const rows = await db.update(jobs).set({ status, finishedAt: sql`now()`, statusReason: reason === undefined ? null : storedReason(reason) })
    .where(and(eq(jobs.id, jobId), inArray(jobs.status, [...ACTIVE_STATUSES]))).returning({ id: jobs.id })
  return rows.length > 0
}

/** Marks a job running (idempotent; a terminal job stays terminal). */
export async function markJobRunning(db: Database, id: string): Promise<void> {
  await db.update(jobs).set({ status: 'running', startedAt: sql`coalesce(${jobs.startedAt}, now())`, heartbeatAt: sql`now()` })
    .where(and(eq(jobs.id, id), inArray(jobs.status, [...ACTIVE_STATUSES])))
}

/**
 * The status of a group of runs, computed by the database in the statement that
 * writes it: the rule of `rollUpStatus` in SQL (NULL for a group without runs).
 */
function rolledUpStatusOf(runsOfGroup: SQL): SQL {
  return sql`(SELECT CASE
      WHEN count(*) = 0 THEN NULL
      WHEN bool_or(status = 'running') OR (bool_or(status = 'queued') AND NOT bool_and(status = 'queued')) THEN 'running'
      WHEN bool_and(status = 'queued') THEN 'queued'
      WHEN bool_or(status = 'failed') THEN 'failed'
      WHEN bool_or(status = 'cancelled') THEN 'cancelled'
      ELSE 'succeeded' END
    FROM ${runs} WHERE ${runsOfGroup})`
}

const TERMINAL_SQL = sql.raw(`('succeeded', 'failed', 'cancelled')`)
const ACTIVE_SQL = sql.raw(`('queued', 'running')`)

/**
 * Recomputes a job's status from its runs, then its benchmark's from all of the
 * benchmark's runs. Every status change of a run ends here.
 *
 * Each roll-up is one UPDATE that reads the runs and writes the status together,
 * and only an active group changes: two children finishing at once cannot leave a
 * finished job `running` (a roll-up that read an older state finds the row
 * already terminal and writes nothing).
 */
export async function rollUpJob(db: Database, jobId: string, reason?: string): Promise<JobStatus> {
  const stored = reason === undefined ? null : storedReason(reason)
  const computed = sql`${rolledUpStatusOf(sql`${runs.jobId} = ${jobId}`)}`
  await db.execute(sql`
    UPDATE ${jobs} SET
      status = r.status,
      finished_at = CASE WHEN r.status IN ${TERMINAL_SQL} THEN now() ELSE ${jobs.finishedAt} END,
      status_reason = CASE WHEN r.status IN ${TERMINAL_SQL} AND ${stored}::text IS NOT NULL THEN ${stored}::text ELSE ${jobs.statusReason} END,
      started_at = CASE WHEN r.status = 'running' THEN coalesce(${jobs.startedAt}, now()) ELSE ${jobs.startedAt} END
    FROM (SELECT ${computed} AS status) r
    WHERE ${jobs.id} = ${jobId} AND r.status IS NOT NULL AND ${jobs.status} <> r.status AND ${jobs.status} IN ${ACTIVE_SQL}`)
  // No runs of its own (an analysis job, or one whose run was requeued): its status is what finishJob recorded.
  const job = await getJob(db, jobId)
  if (job.benchmarkId) await rollUpBenchmark(db, job.benchmarkId)
  return job.status
}

/**
 * Recomputes a benchmark's status from its runs, in one statement. A finished
 * benchmark is reopened only when asked (`reopen`: a run of it was requeued in the
 * same transaction); otherwise a stale roll-up can never undo a finished one.
 */
export async function rollUpBenchmark(db: Database, benchmarkId: string, { reopen = false }: { reopen?: boolean } = {}): Promise<JobStatus> {
  const computed = rolledUpStatusOf(sql`${runs.benchmarkId} = ${benchmarkId}`)
  await db.execute(sql`
    UPDATE ${benchmarks} SET status = coalesce(r.status, 'succeeded'), updated_at = now()
    FROM (SELECT ${computed} AS status) r
    WHERE ${benchmarks.id} = ${benchmarkId} AND ${benchmarks.status} <> coalesce(r.status, 'succeeded')
      AND (${benchmarks.status} IN ${ACTIVE_SQL} OR ${reopen})`)
  const [row] = await db.select({ status: benchmarks.status }).from(benchmarks).where(eq(benchmarks.id, benchmarkId))
  if (!row) throw notFound('benchmark', benchmarkId)
  return row.status
}

/**
 * Puts a failed or cancelled run back in the queue on its own: a new job of the
 * same kind with that one run (arraySize 1), the run queued again with its error
 * and timestamps cleared. The previous job keeps its history. Returns undefined
 * when the run is not failed or cancelled (any more): the caller answers 409.
 */
export async function requeueRunAsNewJob(db: Database, runId: string, options: { queue: 'local' | 'batch'; attempts: number }): Promise<JobRow | undefined> {
  return db.transaction(async (tx) => {
    const [run] = await tx.select().from(runs).where(and(eq(runs.id, runId), inArray(runs.status, ['failed', 'cancelled']))).for('update')
    if (!run?.jobId) return undefined
    const previous = await getJob(tx, run.jobId)
    const [job] = await tx.insert(jobs).values({
      id: newId('job'), kind: previous.kind, queue: options.queue, benchmarkId: run.benchmarkId, runIds: [run.id], arraySize: 1,
      timeoutSeconds: previous.timeoutSeconds, attempts: options.attempts,
    }).returning()
    await tx.update(runs).set({ status: 'queued', jobId: job!.id, error: null, summary: null, startedAt: null, finishedAt: null, heartbeatAt: null })
      .where(eq(runs.id, run.id))
    await rollUpBenchmark(tx, run.benchmarkId, { reopen: true })
    return job
  })
}
