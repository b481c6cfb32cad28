import type { Database } from '../db/connect'
import { cancelQueuedRuns, getBenchmark, spentRunHours } from '../repositories/benchmarks'
import { rollUpJob } from '../repositories/jobs'
import { budgetSchema } from './spec'

/**
 * Enforces a benchmark's `budget.maxGpuHours` once a run has ended. The budget
 * counts every run's hours from start to finish (each run holds one GPU instance
 * on Batch); when they exceed it, runs that have not started are cancelled with
 * the reason, and runs already running finish, their hours being spent. A job's
 * child that later wakes for a cancelled run finds it cancelled and exits at once.
 * Returns what it did, or null for a benchmark without a GPU-hour budget.
 */
export async function enforceGpuBudget(db: Database, benchmarkId: string): Promise<{ spentHours: number; maxGpuHours: number; cancelledJobs: string[] } | null> {
  const benchmark = await getBenchmark(db, benchmarkId)
  const { maxGpuHours } = budgetSchema.parse(benchmark.spec.budget ?? {})
  if (maxGpuHours === undefined) return null
  const spentHours = await spentRunHours(db, benchmarkId)
  if (spentHours <= maxGpuHours) return { spentHours, maxGpuHours, cancelledJobs: [] }
  const reason = `the benchmark's GPU budget is spent: its runs took ${spentHours.toFixed(2)} h of budget.maxGpuHours=${maxGpuHours}`
  const cancelledJobs = await cancelQueuedRuns(db, benchmarkId, reason)
  for (const jobId of cancelledJobs) await rollUpJob(db, jobId, reason)
  return { spentHours, maxGpuHours, cancelledJobs }
}
