import { arch, cpus, hostname, platform, totalmem } from 'node:os'
import { execFileSync } from 'node:child_process'
import { openDatabase, type Database } from '../db/connect'
import { getBenchmark } from '../repositories/benchmarks'
import { getDataset } from '../repositories/datasets'
import { finishJob, heartbeatJob, getJob, markJobRunning, rollUpJob, runIdForArrayChild, type JobRow } from '../repositories/jobs'
import { appendRunMetrics, completeRun, endRun, getRun, heartbeatRun, recordRunArtifact, startRun, type MetricPoint, type RunRow } from '../repositories/runs'
import { loadDatasetSplits } from '../datasets/register'
import { enforceGpuBudget } from '../benchmarks/budget'
import { withTestSet } from '../benchmarks/test-set'
import { redactPii, type DatasetSplits } from '@bankbench/data'
import { describeForLog, errorMessageForLog } from '../describe-for-log'
import { isTransientDatabaseError } from '../db/transient'
import type { ArtifactStore } from '../storage/artifact-store'
import { createArtifactStore } from '../storage/create-artifact-store'
import { JOB_ENV, JOB_EXIT_CODES } from './job-queue'
import { isRunConfigOfKind, isTrainerJobKind, parseRunConfig, type RunConfig, type RunConfigOfKind, type TrainerJobKind } from '../contracts/run-config'
import type { JobOutcomes, RunSummary } from '../contracts/run-summary'
import type { HandlerFacts, HostFacts, RunEnvironment } from '../contracts/run-environment'
import { setting } from '@bankbench/settings'

/** A run as its handler sees it: the stored row, with the config parsed against the contract and narrowed. */
export type RunOf<C extends RunConfig = RunConfig> = Omit<RunRow, 'config'> & { config: C }

/** What a job kind's handler gets: its run, its data, and ways to report. */
export interface RunContext<C extends RunConfig = RunConfig> {
  db: Database
  store: ArtifactStore
  job: JobRow
  run: RunOf<C>
  dataset: DatasetSplits
  datasetHash: string
  /** Aborted when the process is asked to stop (cancel, timeout, spot reclaim). */
  signal: AbortSignal
  /** Streams metric points (loss per step, accuracy per epoch) to the run. */
  reportMetrics(points: MetricPoint[]): Promise<void>
  /** Stores a file under runs/<id>/ and records it on the run. */
  saveArtifact(name: string, body: Uint8Array | string): Promise<{ key: string }>
  /** Adds facts about where the run executes (backend, LLM endpoint) to its environment record. */
  recordEnvironment(facts: Partial<HandlerFacts>): void
  log(message: string): void
}

/**
 * The handler of a job kind: it receives the configs of the methods that kind runs
 * (`RunConfigOfKind<K>`, parsed when the job starts) and returns that kind's summary
 * (`JobOutcomes[K]`), which the harness stores on the run.
 */
export type RunHandler<K extends TrainerJobKind> = (context: RunContext<RunConfigOfKind<K>>) => Promise<JobOutcomes[K]>

/** The handlers of a container, by job kind. */
export type RunHandlers = { [K in TrainerJobKind]?: RunHandler<K> }

/** Narrows a context to the runs of some methods (a baseline job dispatching on its method). */
export function isRunOfMethod<C extends RunConfig, M extends C['method']>(context: RunContext<C>, methods: readonly M[]): context is RunContext<Extract<C, { method: M }>> {
  return (methods as readonly string[]).includes(context.run.config.method)
}

/**
 * The body of every container entrypoint, locally and on AWS Batch: read the job
 * from the environment contract, claim this child's run, heartbeat, run the
 * handler of the job's kind, and record the outcome. Exits non-zero on failure so
 * the queue (Batch retry strategy or the local runner) sees it.
 */
export async function runJobProcess(handlers: RunHandlers): Promise<void> {
  const jobId = requiredEnv(JOB_ENV.jobId)
  const arrayIndex = setting(JOB_ENV.arrayIndex)
  const { db, close } = await openDatabase({ url: requiredEnv(JOB_ENV.databaseUrl), migrate: false })
  const store = createArtifactStore(requiredEnv(JOB_ENV.artifacts))
  const controller = new AbortController()
  const onSignal = () => controller.abort(new Error('the job process was asked to stop'))
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  exitWithParentRunner()
  let claim: RunClaim | undefined
  let heartbeat: NodeJS.Timeout | undefined
  try {
    const job = await getJob(db, jobId)
    const kind = job.kind
    if (!isTrainerJobKind(kind) || !handlers[kind]) throw new Error(`this container has no handler for job kind '${job.kind}'`)
    const environment: RunEnvironment = describeHost()
    claim = await claimRun(db, job, await runIdForArrayChild(db, jobId, arrayIndex), environment)
    const { run } = claim
    const beat = claim.beat
    heartbeat = setInterval(() => void beat().catch(() => {}), setting(JOB_ENV.heartbeatSeconds) * 1000)
    // The contract at the boundary: a stored config that does not match fails the run here, naming the field.
    const config = parseRunConfig(run.config, `run ${run.id}`)
    const benchmarkDataset = await datasetOfRun(db, run)
    const dataset = withTestSet(await loadDatasetSplits(store, benchmarkDataset), config.testSet)
    environment.datasetHash = benchmarkDataset.contentHash
    const owned = claim
    const context: RunContext = {
      db, store, job, run: { ...run, config }, dataset, datasetHash: benchmarkDataset.contentHash, signal: controller.signal,
      reportMetrics: (points) => appendRunMetrics(db, run.id, points),
      async saveArtifact(name, body) {
        const key = owned.artifactKey(name)
        const info = await store.put(key, body)
        if (!(await owned.recordArtifact({ name, key, bytes: info.bytes, sha256: info.sha256 }))) {
          throw new Error(`attempt ${run.attempt} of run ${run.id} is no longer current; its artifact '${name}' was not recorded`)
        }
        return { key }
      },
      recordEnvironment: (facts) => Object.assign(environment, facts),
      // Job logs (CloudWatch on Batch) never carry customer text in clear, whatever a handler puts in a message.
      log: (message) => console.log(`[${jobId}[${arrayIndex}] ${run.id}] ${redactPii(message)}`),
    }
    await claim.succeed(await runHandler(handlers, kind, context))
  } catch (error) {
    console.error(describeForLog(error))
    if (controller.signal.aborted) {
      // Stopped from outside: the queue that stopped us records why (cancel,
      // timeout), or retries the run (spot reclaim), which resumes from its checkpoint.
      process.exitCode = 143
    } else if (isTransientDatabaseError(error)) {
      // The database was unreachable or restarting: not the run's fault. The queue
      // retries the child (attempts permitting), which resumes from its checkpoint.
      process.exitCode = JOB_EXIT_CODES.retryable
    } else {
      await claim?.fail(errorMessageForLog(error)).catch(() => {})
      process.exitCode = JOB_EXIT_CODES.runFailed
    }
  } finally {
    clearInterval(heartbeat)
    // However the run ended, its hours count against the benchmark's GPU budget.
    if (claim?.budgetOf) await enforceGpuBudget(db, claim.budgetOf).catch((error) => console.error(`could not enforce the GPU budget: ${describeForLog(error)}`))
    await close()
  }
}

/**
 * How a job process holds the run it works on. Most jobs execute their own run: they
 * claim it (a new attempt), write artifacts under that attempt, and complete it. An
 * analyze job reads a run another job finished: it leaves that run's status alone,
 * writes under its own id, and ends only itself.
 */
interface RunClaim {
  run: RunRow
  beat(): Promise<void>
  artifactKey(name: string): string
  recordArtifact(artifact: { name: string; key: string; bytes: number; sha256: string }): Promise<boolean>
  /** Records the outcome: the summary on the run (null: an analyze job, which stores none). */
  succeed(summary: RunSummary | null): Promise<void>
  fail(reason: string): Promise<void>
  /** The benchmark whose GPU budget this process's hours count against (a run it executed). */
  budgetOf?: string
}

async function claimRun(db: Database, job: JobRow, runId: string, environment: RunEnvironment): Promise<RunClaim> {
  const subject = await getRun(db, runId)
  if (subject.jobId !== job.id) {
    await markJobRunning(db, job.id)
    return {
      run: subject,
      beat: () => heartbeatJob(db, job.id),
      artifactKey: (name) => `runs/${runId}/${job.id}/${name}`,
      recordArtifact: (artifact) => recordRunArtifact(db, runId, artifact),
      succeed: async () => { await finishJob(db, job.id, 'succeeded') },
      fail: async (reason) => { await finishJob(db, job.id, 'failed', reason) },
    }
  }
  const run = await startRun(db, runId, environment)
  // Each attempt writes under its own prefix and records only while it is the run's
  // current attempt: a stale attempt can never replace what the current one saved.
  const fence = { attempt: run.attempt }
  return {
    run,
    budgetOf: run.benchmarkId,
    beat: async () => {
      await heartbeatRun(db, runId)
      await heartbeatJob(db, job.id)
    },
    artifactKey: (name) => `runs/${runId}/attempt-${run.attempt}/${name}`,
    recordArtifact: (artifact) => recordRunArtifact(db, runId, artifact, fence),
    succeed: async (summary) => {
      if (summary === null) throw new Error(`a ${job.kind} job reads a run another job executed, but run ${runId} is this job's own`)
      await completeRun(db, runId, summary, environment, fence)
      await rollUpJob(db, job.id)
    },
    fail: async (reason) => {
      await endRun(db, runId, 'failed', reason)
      await rollUpJob(db, job.id)
    },
  }
}

/**
 * A child of the local runner has an IPC channel to it: when the runner's process
 * dies (even by kill -9) the channel closes, and the child stops at once instead of
 * training on unsupervised; the restarted runner queues the run again and it resumes
 * from its checkpoint. (On Batch there is no such parent.)
 */
function exitWithParentRunner(): void {
  if (!process.channel) return
  process.channel.unref()
  process.once('disconnect', () => {
    console.error('the local job runner that started this process is gone; stopping')
    process.exit(JOB_EXIT_CODES.retryable)
  })
}

/** Runs the handler of the job's kind: the summary to store on the run, or null for an analyze job, which stores none. */
async function runHandler(handlers: RunHandlers, kind: TrainerJobKind, context: RunContext): Promise<RunSummary | null> {
  if (kind === 'analyze') {
    await runHandlerOfKind(handlers, kind, context)
    return null
  }
  return runHandlerOfKind(handlers, kind, context)
}

/** Hands the run to the kind's handler with its config narrowed to the methods that kind runs (a config of another method is an error). */
async function runHandlerOfKind<K extends TrainerJobKind>(handlers: RunHandlers, kind: K, context: RunContext): Promise<JobOutcomes[K]> {
  const handler: RunHandler<K> | undefined = handlers[kind]
  if (!handler) throw new Error(`this container has no handler for job kind '${kind}'`)
  const { config } = context.run
  if (!isRunConfigOfKind(kind, config)) throw new Error(`run ${context.run.id} is a ${config.method} run, which a ${kind} job does not run`)
  return handler({ ...context, run: { ...context.run, config } })
}

async function datasetOfRun(db: Database, run: Pick<RunRow, 'benchmarkId'>) {
  const benchmark = await getBenchmark(db, run.benchmarkId)
  return getDataset(db, benchmark.datasetId)
}

function requiredEnv(name: typeof JOB_ENV.jobId | typeof JOB_ENV.databaseUrl | typeof JOB_ENV.artifacts): string {
  const value = setting(name)
  if (!value) throw new Error(`${name} is not set; the job queue must provide it (see JOB_ENV)`)
  return value
}

function describeHost(): HostFacts {
  return {
    host: hostname(),
    platform: `${platform()}-${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    memoryBytes: totalmem(),
    pid: process.pid,
    node: process.version,
    codeVersion: gitSha(),
    awsBatchJobId: setting('AWS_BATCH_JOB_ID') ?? null,
  }
}

/** BANKBENCH_CODE_VERSION (the container images set it at build), else the checkout's commit, else null. */
function gitSha(): string | null {
  const configured = setting('BANKBENCH_CODE_VERSION')
  if (configured) return configured
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}
