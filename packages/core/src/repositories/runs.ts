import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm'
import type { Database } from '../db/connect'
import type { RunEnvironment, RunSummary } from '../contracts'
import { runArtifacts, runMetrics, runs } from '../db/schema'
import { storedReason } from '../describe-for-log'
import { notFound } from '../errors'
import { ACTIVE_STATUSES } from '../jobs/status'

export type RunRow = typeof runs.$inferSelect

export async function getRun(db: Database, id: string): Promise<RunRow> {
  const [row] = await db.select().from(runs).where(eq(runs.id, id))
  if (!row) throw notFound('run', id)
  return row
}

export async function listRunsOfBenchmark(db: Database, benchmarkId: string): Promise<RunRow[]> {
  return db.select().from(runs).where(eq(runs.benchmarkId, benchmarkId)).orderBy(asc(runs.ordinal))
}

/** Claims a queued run for execution (a retried container claims its own running run again). */
export async function startRun(db: Database, id: string, environment: RunEnvironment): Promise<RunRow> {
  const [row] = await db.update(runs)
    .set({ status: 'running', startedAt: sql`coalesce(${runs.startedAt}, now())`, heartbeatAt: sql`now()`, attempt: sql`${runs.attempt} + 1`, environment, error: null })
    .where(and(eq(runs.id, id), inArray(runs.status, [...ACTIVE_STATUSES])))
    .returning()
  if (!row) throw new Error(`run ${id} is not queued or running; it was cancelled or already finished`)
  return row
}

export async function heartbeatRun(db: Database, id: string): Promise<void> {
  await db.update(runs).set({ heartbeatAt: sql`now()` }).where(eq(runs.id, id))
}

export interface MetricPoint { name: string; value: number; step?: number | null; epoch?: number | null }

/**
 * Records metric points; a point already recorded for the same (name, step, epoch)
 * is kept as first written, so a resumed or retried attempt never duplicates a curve.
 */
export async function appendRunMetrics(db: Database, runId: string, points: MetricPoint[]): Promise<void> {
  if (points.length === 0) return
  await db.insert(runMetrics).values(points.map((point) => ({ runId, name: point.name, value: point.value, step: point.step ?? null, epoch: point.epoch ?? null })))
    .onConflictDoNothing()
}

export async function listRunMetrics(db: Database, runId: string) {
  return db.select({ name: runMetrics.name, step: runMetrics.step, epoch: runMetrics.epoch, value: runMetrics.value, recordedAt: runMetrics.recordedAt })
    .from(runMetrics).where(eq(runMetrics.runId, runId)).orderBy(asc(runMetrics.id))
}

/**
 * Records (or replaces) a run's artifact by name. With `attempt`, only while that is
 * the run's current attempt and the run is running: false otherwise (a stale attempt).
 */
export async function recordRunArtifact(db: Database, runId: string, artifact: { name: string; key: string; bytes: number; sha256: string }, fence?: { attempt: number }): Promise<boolean> {
  if (fence) {
    const [current] = await db.select({ id: runs.id }).from(runs).where(and(eq(runs.id, runId), eq(runs.attempt, fence.attempt), eq(runs.status, 'running')))
    if (!current) return false
  }
  await db.insert(runArtifacts).values({ runId, ...artifact })
    .onConflictDoUpdate({ target: [runArtifacts.runId, runArtifacts.name], set: { key: artifact.key, bytes: artifact.bytes, sha256: artifact.sha256 } })
  return true
}

export async function listRunArtifacts(db: Database, runId: string) {
  return db.select().from(runArtifacts).where(eq(runArtifacts.runId, runId)).orderBy(asc(runArtifacts.name))
}

/** Marks a running run succeeded with its summary; false if it was no longer active (cancelled meanwhile) or, with `fence`, another attempt took it over. */
export async function completeRun(db: Database, id: string, summary: RunSummary, environment?: RunEnvironment, fence?: { attempt: number }): Promise<boolean> {
  const rows = await db.update(runs).set({ status: 'succeeded', summary, finishedAt: sql`now()`, ...(environment ? { environment } : {}) })
    .where(and(eq(runs.id, id), eq(runs.status, 'running'), fence ? eq(runs.attempt, fence.attempt) : undefined)).returning({ id: runs.id })
  return rows.length > 0
}

/** Ends an active run as failed or cancelled with the reason; a finished run is left alone. */
export async function endRun(db: Database, id: string, status: 'failed' | 'cancelled', reason: string): Promise<boolean> {
  const rows = await db.update(runs).set({ status, error: storedReason(reason), finishedAt: sql`now()` })
    .where(and(eq(runs.id, id), inArray(runs.status, [...ACTIVE_STATUSES]))).returning({ id: runs.id })
  return rows.length > 0
}

/** The ids of a job's runs that are still queued or running, among `runIds` when given. */
export async function listActiveRunIds(db: Database, jobId: string, runIds?: string[]): Promise<string[]> {
  const rows = await db.select({ id: runs.id }).from(runs)
    .where(and(eq(runs.jobId, jobId), inArray(runs.status, [...ACTIVE_STATUSES]), runIds ? inArray(runs.id, runIds) : undefined))
  return rows.map((row) => row.id)
}

/** Metric points of a benchmark's runs recorded after the point `afterId`, oldest first, at most `limit` (event streams). */
export async function listBenchmarkMetricsSince(db: Database, benchmarkId: string, afterId: number, limit: number) {
  return db.select({ id: runMetrics.id, runId: runMetrics.runId, name: runMetrics.name, step: runMetrics.step, epoch: runMetrics.epoch, value: runMetrics.value })
    .from(runMetrics).innerJoin(runs, eq(runs.id, runMetrics.runId))
    .where(and(eq(runs.benchmarkId, benchmarkId), gt(runMetrics.id, afterId)))
    .orderBy(asc(runMetrics.id)).limit(limit)
}
