import type { Database } from '../db/connect'
import { ProblemError } from '../errors'
import type { JobQueue } from '../jobs/job-queue'
import { isTerminal } from '../jobs/status'
import { submitStoredJobs } from '../jobs/submit-jobs'
import { countRunsByStatus, createBenchmark, getBenchmark, succeededRunSeconds, type BenchmarkRow } from '../repositories/benchmarks'
import { findDataset } from '../repositories/datasets'
import { listJobsOfBenchmark } from '../repositories/jobs'
import { checkEncoderRuns } from './encoder-runs'
import { planRuns, resolveArms } from './plan'
import { withPresetProtocol } from './presets'
import { benchmarkSpecSchema } from './spec'
import { describeErrors, issuesToErrors } from '../validation'

export interface BenchmarkServices {
  db: Database
  queue: JobQueue
  jobAttempts: number
}

/**
 * Validates a benchmark request, stores its plan durably, then hands its jobs to
 * the queue (submitStoredJobs). A job the queue refuses is failed with the queue's
 * reason, so the benchmark never waits on work that was never started; one the queue
 * could not be asked about now stays stored without an external id, and the Batch
 * sweep submits it.
 */
export async function submitBenchmark(services: BenchmarkServices, body: unknown, idempotencyKey?: string): Promise<{ benchmark: BenchmarkRow; created: boolean }> {
  const parsed = benchmarkSpecSchema.safeParse(withPresetProtocol(body))
  if (!parsed.success) {
    const errors = issuesToErrors(parsed.error.issues)
    throw new ProblemError('validation-failed', `the benchmark is not valid: ${describeErrors(errors)}`, errors)
  }
  const spec = parsed.data
  // The plan needs no database: a spec that cannot be planned is refused before any query.
  const plannedRuns = planRuns(spec)
  const dataset = await findDataset(services.db, spec.dataset)
  if (!dataset) {
    throw new ProblemError('validation-failed', `dataset '${spec.dataset}' does not exist; use 'banking77' or the id of an uploaded dataset (GET /v1/datasets)`,
      [{ path: 'dataset', message: 'unknown dataset' }])
  }
  const trainSubset = spec.protocol.trainSubset
  if (trainSubset !== undefined && trainSubset > dataset.splits.train) {
    throw new ProblemError('validation-failed', `protocol.trainSubset=${trainSubset} is larger than dataset '${dataset.id}', whose train split has ${dataset.splits.train} rows; lower it or omit it to train on the whole split`,
      [{ path: 'protocol.trainSubset', message: `at most ${dataset.splits.train} for this dataset` }])
  }
  // A generate arm that learns the bank's replies needs a dataset that has them (an upload's reply column).
  const replyArm = resolveArms(spec).findIndex((arm) => arm.config.target === 'reply' || (arm.grid.target ?? []).includes('reply'))
  if (replyArm >= 0 && !dataset.splits.replies) {
    throw new ProblemError('validation-failed', `arms[${replyArm}] has target 'reply': it learns the bank's replies, but dataset '${dataset.id}' has none; `
      + 'upload a CSV with a reply column (filled on every row that is not out_of_scope), or use target \'intent\'',
    [{ path: `arms.${replyArm}.config.target`, message: `needs a dataset with replies; '${dataset.id}' has none` }])
  }
  // A vector arm's `run:<id>` encoder (or a hybrid's `classifier` encoder) must be a succeeded fine-tuning run on this dataset.
  await checkEncoderRuns(services.db, resolveArms(spec), dataset.id)
  const { benchmark, jobIds, created } = await createBenchmark(services.db, {
    name: spec.name ?? `${spec.preset ?? resolveArms(spec).map((arm) => arm.method).join(' vs ')} on ${dataset.id}`,
    datasetId: dataset.id,
    spec,
    plannedRuns,
    queue: services.queue.name,
    timeoutSeconds: spec.protocol.timeoutSeconds,
    attempts: services.jobAttempts,
    idempotencyKey,
  })
  // The committed job rows are the outbox: what this pass cannot submit (a crash, Batch unreachable) the Batch sweep does.
  if (created) await submitStoredJobs(services.db, services.queue, jobIds)
  return { benchmark: await getBenchmark(services.db, benchmark.id), created }
}

/** Cancels every active job of a benchmark; finished runs keep their results. */
export async function cancelBenchmark(services: BenchmarkServices, id: string): Promise<BenchmarkRow> {
  const benchmark = await getBenchmark(services.db, id)
  if (isTerminal(benchmark.status)) {
    throw new ProblemError('invalid-state', `benchmark '${id}' already ${benchmark.status}; only a queued or running benchmark can be cancelled`)
  }
  for (const job of await listJobsOfBenchmark(services.db, id)) {
    if (!isTerminal(job.status)) await services.queue.cancel(job.id, job.externalId, 'cancelled by the user')
  }
  return getBenchmark(services.db, id)
}

/**
 * Run counts per status, and an estimate of when the rest will be done: the mean
 * wall-clock time of the runs that succeeded so far, times the runs still queued
 * or running, divided by how many run at once (`concurrency`: the local runner's,
 * or on Batch the number of GPU jobs the compute environment holds). A running run
 * counts as a whole run still to do, so the estimate errs late by at most one run
 * per slot. No estimate before a run has succeeded or once none remain.
 */
export async function benchmarkProgress(db: Database, id: string, concurrency = 1) {
  const counts = await countRunsByStatus(db, id)
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0)
  const finished = (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0)
  const remainingRuns = total - finished
  const durations = await succeededRunSeconds(db, id)
  if (remainingRuns === 0 || durations.length === 0) return { total, finished, counts, eta: null }
  const meanRunSeconds = durations.reduce((sum, seconds) => sum + seconds, 0) / durations.length
  const secondsRemaining = (meanRunSeconds * remainingRuns) / concurrency
  return {
    total, finished, counts,
    eta: { remainingRuns, meanRunSeconds, concurrency, secondsRemaining, estimatedFinishAt: new Date(Date.now() + secondsRemaining * 1000) },
  }
}
