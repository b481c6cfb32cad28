import { isDeepStrictEqual } from 'node:util'
import { and, desc, eq, isNotNull, lt, or, sql } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { benchmarks, jobs, runs } from '../db/schema'
import { storedReason } from '../describe-for-log'
import { notFound, ProblemError } from '../errors'
import { newId } from '../ids'
import type { PlannedRun } from '../benchmarks/plan'
import type { BenchmarkSpec } from '../benchmarks/spec'
import { groupRunsByJobKind } from '../benchmarks/plan'
import { decodeCursor, toPage, type Page, type PageRequest } from './pagination'

export type BenchmarkRow = typeof benchmarks.$inferSelect

export interface NewBenchmark {
  name: string
  datasetId: string
  spec: BenchmarkSpec
  plannedRuns: PlannedRun[]
  queue: 'local' | 'batch'
  timeoutSeconds: number
  attempts: number
  idempotencyKey?: string | undefined
}

/**
 * Stores a benchmark, its runs and one job per job kind in one transaction: either
 * the whole plan is durable or nothing is. With an idempotency key, a repeated
 * request returns the benchmark the first one created.
 */
export async function createBenchmark(db: Database, input: NewBenchmark): Promise<{ benchmark: BenchmarkRow; jobIds: string[]; created: boolean }> {
  if (input.idempotencyKey) {
    const existing = await findByIdempotencyKey(db, input.idempotencyKey, input.spec)
    if (existing) return existing
  }
  try {
    return await db.transaction(async (tx) => {
      const benchmarkId = newId('bm')
      const [benchmark] = await tx.insert(benchmarks).values({
        id: benchmarkId, name: input.name, datasetId: input.datasetId, spec: input.spec, idempotencyKey: input.idempotencyKey ?? null,
      }).returning()
      const jobIds: string[] = []
      for (const [kind, planned] of groupRunsByJobKind(input.plannedRuns)) {
        const jobId = newId('job')
        const runIds = planned.map(() => newId('run'))
        await tx.insert(jobs).values({
          id: jobId, kind, queue: input.queue, benchmarkId, runIds, arraySize: planned.length,
          timeoutSeconds: input.timeoutSeconds, attempts: input.attempts,
        })
        await tx.insert(runs).values(planned.map((run, index) => ({
          id: runIds[index]!, benchmarkId, ordinal: run.ordinal, method: run.method, config: run.config, seed: run.seed, jobId,
        })))
        jobIds.push(jobId)
      }
      return { benchmark: benchmark!, jobIds, created: true }
    })
  } catch (error) {
    // Two concurrent requests with one key: the loser returns the winner's benchmark.
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const existing = await findByIdempotencyKey(db, input.idempotencyKey, input.spec)
      if (existing) return existing
    }
    throw error
  }
}

async function findByIdempotencyKey(db: Database, key: string, spec: BenchmarkSpec) {
  const [benchmark] = await db.select().from(benchmarks).where(eq(benchmarks.idempotencyKey, key))
  if (!benchmark) return undefined
  if (!isDeepStrictEqual(benchmark.spec, spec)) {
    throw new ProblemError('conflict', `Idempotency-Key '${key}' was already used for a different benchmark (${benchmark.id}); use a new key for a new request`)
  }
  const jobRows = await db.select({ id: jobs.id }).from(jobs).where(eq(jobs.benchmarkId, benchmark.id))
  return { benchmark, jobIds: jobRows.map((job) => job.id), created: false }
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code
  return code === '23505'
}

export async function getBenchmark(db: Database, id: string): Promise<BenchmarkRow> {
  const [row] = await db.select().from(benchmarks).where(eq(benchmarks.id, id))
  if (!row) throw notFound('benchmark', id)
  return row
}

export async function listBenchmarks(db: Database, page: PageRequest): Promise<Page<BenchmarkRow>> {
  const after = page.cursor ? decodeCursor(page.cursor) : undefined
  const rows = await db.select().from(benchmarks)
    .where(after ? or(lt(benchmarks.createdAt, after.createdAt), and(eq(benchmarks.createdAt, after.createdAt), lt(benchmarks.id, after.id))) : undefined)
    .orderBy(desc(benchmarks.createdAt), desc(benchmarks.id))
    .limit(page.limit + 1)
  return toPage(rows, page.limit)
}

/** Counts of the benchmark's runs per status. */
export async function countRunsByStatus(db: Database, benchmarkId: string): Promise<Record<string, number>> {
  const rows = await db.select({ status: runs.status, count: sql<number>`count(*)::int` }).from(runs)
    .where(eq(runs.benchmarkId, benchmarkId)).groupBy(runs.status)
  return Object.fromEntries(rows.map((row) => [row.status, row.count]))
}

/** Wall-clock seconds of each succeeded run of the benchmark (progress estimates). */
export async function succeededRunSeconds(db: Database, benchmarkId: string): Promise<number[]> {
  const rows = await db.select({ seconds: sql<number>`extract(epoch from ${runs.finishedAt} - ${runs.startedAt})::float8` }).from(runs)
    .where(and(eq(runs.benchmarkId, benchmarkId), eq(runs.status, 'succeeded'), isNotNull(runs.startedAt), isNotNull(runs.finishedAt)))
  return rows.map((row) => row.seconds)
}

/** Hours the benchmark's runs have spent so far: finished runs from start to finish, running ones until now. */
export async function spentRunHours(db: Database, benchmarkId: string): Promise<number> {
  const [row] = await db.select({ hours: sql<number>`coalesce(sum(extract(epoch from coalesce(${runs.finishedAt}, now()) - ${runs.startedAt})), 0)::float8 / 3600` })
    .from(runs).where(and(eq(runs.benchmarkId, benchmarkId), isNotNull(runs.startedAt)))
  return row?.hours ?? 0
}

/** Cancels the benchmark's runs that have not started, with the reason; returns the jobs they belonged to. */
export async function cancelQueuedRuns(db: Database, benchmarkId: string, reason: string): Promise<string[]> {
  const rows = await db.update(runs).set({ status: 'cancelled', error: storedReason(reason), finishedAt: sql`now()` })
    .where(and(eq(runs.benchmarkId, benchmarkId), eq(runs.status, 'queued'))).returning({ jobId: runs.jobId })
  return [...new Set(rows.map((row) => row.jobId).filter((jobId): jobId is string => jobId !== null))]
}
