import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { redactPii } from '@bankbench/data'
import { settingText, type Environment } from '@bankbench/settings'
import type { Database } from '../db/connect'
import { describeForLog } from '../describe-for-log'
import { endActiveRuns, getJob, listActiveJobs, markJobRunning, ownsRuns, rollUpJob, setJobExternalId, type JobRow } from '../repositories/jobs'
import { listActiveRunIds } from '../repositories/runs'
import { CONTAINER_FOR_KIND, dependsOnKind, JOB_ENV, JOB_EXIT_CODES, jobKindRank, type JobKind, type JobQueue, type JobSubmission } from './job-queue'

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')

export interface LocalRunnerOptions {
  db: Database
  /** DATABASE_URL handed to the job processes. */
  databaseUrl: string
  /** BANKBENCH_ARTIFACTS handed to the job processes. */
  artifactsUri: string
  /** How many job processes run at once (array children count one each). Default 1: training wants every core. */
  concurrency?: number
  /** Where each child's stdout/stderr goes, one file per child; default: not kept. */
  logDir?: string
  /** Extra environment for the children (e.g. BANKBENCH_S3_ENDPOINT). */
  env?: Record<string, string>
  heartbeatSeconds?: number
  /** The command that runs a container's entrypoint; default: this Node with tsx on containers/<name>/entrypoint.ts. */
  command?: (container: 'trainer' | 'indexer') => { file: string; args: string[] }
  /** Seconds between SIGTERM and SIGKILL when stopping a child. */
  killGraceSeconds?: number
}

/**
 * Native-kernel threads per job process: the machine's cores shared among the jobs that run
 * at once, unless BANKBENCH_NATIVE_THREADS says otherwise. Two jobs of two threads each on two
 * cores would oversubscribe them, which halved a training process's throughput when measured.
 */
export function nativeThreadsPerJob(concurrency: number, environment: Environment = process.env, cores = availableParallelism()): string {
  return settingText('BANKBENCH_NATIVE_THREADS', environment) ?? String(Math.max(1, Math.floor(cores / Math.max(1, concurrency))))
}

interface ChildTask { jobId: string; kind: JobKind; arrayIndex: number; timeoutSeconds: number; attemptsLeft: number; dependsOn: string[] }

interface RunningChild { task: ChildTask; process: ChildProcess; stopReason?: { status: 'failed' | 'cancelled'; reason: string } }

/**
 * The embedded stand-in for AWS Batch: runs each job (each array child) as a child
 * process of the same container entrypoint Batch would start, with the same
 * environment contract (JOB_ENV), bounded concurrency, per-job timeout, retries,
 * and cancellation. A child that dies takes its run to `failed` with the reason.
 */
export class LocalJobRunner implements JobQueue {
  readonly name = 'local' as const
  private readonly pending: ChildTask[] = []
  private readonly running = new Set<RunningChild>()
  private idleWaiters: (() => void)[] = []
  private closed = false
  /** Final status of each job whose children have all exited, for dependency checks. */
  private readonly endedJobs = new Map<string, string>()
  /** Database writes still in flight that idle() must wait for. */
  private readonly recordings = new Set<Promise<void>>()

  constructor(private readonly options: LocalRunnerOptions) {}

  /**
   * Takes over the jobs a previous process left active (it was killed or restarted;
   * its children ended with it): each child whose run is still queued or running is
   * queued again, a running run resuming from its checkpoint, with its job's full
   * attempts; a job's wait for its benchmark's pretrain job is restored. Jobs never
   * submitted (committed, then the process died) are started too. Call once at startup.
   */
  async recoverJobs(): Promise<{ jobs: number; children: number }> {
    const { db } = this.options
    const active = await listActiveJobs(db, 'local')
    // Pretrain jobs first: the others wait for them, as when they were submitted.
    active.sort((a, b) => jobKindRank(a.kind) - jobKindRank(b.kind))
    let children = 0
    for (const job of active) {
      const indexes = await this.unfinishedChildren(job)
      if (indexes.length === 0) {
        await rollUpJob(db, job.id)
        continue
      }
      const dependsOn = !job.benchmarkId ? [] : active
        .filter((other) => dependsOnKind(job.kind, other.kind) && other.benchmarkId === job.benchmarkId && other.id !== job.id)
        .map((other) => other.id)
      await setJobExternalId(db, job.id, `local:${job.id}`)
      for (const arrayIndex of indexes) {
        this.pending.push({ jobId: job.id, kind: job.kind, arrayIndex, timeoutSeconds: job.timeoutSeconds, attemptsLeft: job.attempts, dependsOn })
        children++
      }
    }
    this.pump()
    return { jobs: active.length, children }
  }

  /** The array indexes of a job whose runs are still active (index 0 for a job that owns no runs, e.g. an analysis). */
  private async unfinishedChildren(job: JobRow): Promise<number[]> {
    const { db } = this.options
    if (!(await ownsRuns(db, job.id))) return [0]
    const active = new Set(await listActiveRunIds(db, job.id))
    return job.runIds.flatMap((runId, index) => (active.has(runId) ? [index] : []))
  }

  async submit(job: JobSubmission): Promise<{ externalId: string }> {
    if (this.closed) throw new Error('the local job runner is closed')
    const externalId = `local:${job.jobId}`
    await setJobExternalId(this.options.db, job.jobId, externalId)
    for (let arrayIndex = 0; arrayIndex < job.arraySize; arrayIndex++) {
      this.pending.push({ jobId: job.jobId, kind: job.kind, arrayIndex, timeoutSeconds: job.timeoutSeconds, attemptsLeft: job.attempts, dependsOn: (job.dependsOn ?? []).map((dependency) => dependency.jobId) })
    }
    this.pump()
    return { externalId }
  }

  async cancel(jobId: string, _externalId: string | null, reason: string): Promise<void> {
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.jobId === jobId) this.pending.splice(i, 1)
    await endActiveRuns(this.options.db, jobId, 'cancelled', reason)
    for (const child of this.running) if (child.task.jobId === jobId) this.stop(child, 'cancelled', reason)
    this.notifyIfIdle()
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.pending.length === 0 && this.running.size === 0 && this.recordings.size === 0) return Promise.resolve()
    return new Promise((resolvePromise) => this.idleWaiters.push(resolvePromise))
  }

  /** Stops every child (their runs fail with the reason) and refuses new work. */
  async close(reason = 'the local job runner shut down'): Promise<void> {
    this.closed = true
    this.pending.length = 0
    const exits = [...this.running].map((child) => new Promise((done) => child.process.once('exit', done)))
    for (const child of this.running) this.stop(child, 'failed', reason)
    await Promise.all(exits)
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 1
    while (!this.closed && this.running.size < limit) {
      // The first task whose dependencies have all ended, in submission order.
      const index = this.pending.findIndex((task) => task.dependsOn.every((jobId) => this.endedJobs.has(jobId)))
      if (index < 0) break
      const [task] = this.pending.splice(index, 1)
      const failedDependency = task!.dependsOn.find((jobId) => this.endedJobs.get(jobId) !== 'succeeded')
      if (failedDependency) {
        this.failDependent(task!, failedDependency)
        continue
      }
      this.start(task!)
    }
  }

  /** A job whose dependency did not succeed cannot run: its runs fail with that reason. */
  private failDependent(task: ChildTask, dependencyJobId: string): void {
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.jobId === task.jobId) this.pending.splice(i, 1)
    const reason = `job ${dependencyJobId}, which this job depends on, ${this.endedJobs.get(dependencyJobId)}`
    this.endedJobs.set(task.jobId, 'failed')
    const recording = endActiveRuns(this.options.db, task.jobId, 'failed', reason).catch(() => {})
    this.recordings.add(recording)
    void recording.finally(() => {
      this.recordings.delete(recording)
      this.notifyIfIdle()
    })
  }

  /** Once the last child of a job has exited, its final status releases the jobs that wait for it. */
  private async recordJobEndIfLast(jobId: string): Promise<void> {
    const stillActive = this.pending.some((task) => task.jobId === jobId) || [...this.running].some((child) => child.task.jobId === jobId)
    if (stillActive) return
    this.endedJobs.set(jobId, (await getJob(this.options.db, jobId)).status)
  }

  private start(task: ChildTask): void {
    const container = CONTAINER_FOR_KIND[task.kind]
    const { file, args } = this.options.command?.(container)
      ?? { file: process.execPath, args: ['--import', 'tsx', join(REPO_ROOT, 'containers', container, 'entrypoint.ts')] }
    const child = spawn(file, args, {
      cwd: REPO_ROOT,
      // The IPC channel closes when this process dies, however it dies: the child then
      // stops (job-process.ts) rather than run on unsupervised beside a restarted runner.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        BANKBENCH_NATIVE_THREADS: nativeThreadsPerJob(this.options.concurrency ?? 1),
        ...this.options.env,
        [JOB_ENV.jobId]: task.jobId,
        [JOB_ENV.arrayIndex]: String(task.arrayIndex),
        [JOB_ENV.databaseUrl]: this.options.databaseUrl,
        [JOB_ENV.artifacts]: this.options.artifactsUri,
        [JOB_ENV.heartbeatSeconds]: String(this.options.heartbeatSeconds ?? 10),
      },
    })
    const entry: RunningChild = { task, process: child }
    this.running.add(entry)
    const stderrTail = captureTail(child)
    if (this.options.logDir) {
      mkdirSync(this.options.logDir, { recursive: true })
      const log = createWriteStream(join(this.options.logDir, `${task.jobId}-${task.arrayIndex}.log`), { flags: 'a' })
      child.stdout?.pipe(log, { end: false })
      child.stderr?.pipe(log, { end: false })
      child.once('close', () => log.end())
    } else {
      child.stdout?.resume()
    }
    const timer = setTimeout(() => this.stop(entry, 'failed', `timed out after ${task.timeoutSeconds} s`), task.timeoutSeconds * 1000)
    void markJobRunning(this.options.db, task.jobId).catch(() => {})
    child.once('error', (error) => { entry.stopReason ??= { status: 'failed', reason: `could not start the job process: ${error.message}` } })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      this.running.delete(entry)
      void this.afterExit(entry, code, signal, stderrTail()).then(() => this.recordJobEndIfLast(task.jobId)).catch(() => {}).finally(() => {
        this.pump()
        this.notifyIfIdle()
      })
    })
  }

  private async afterExit(entry: RunningChild, code: number | null, signal: NodeJS.Signals | null, stderr: string): Promise<void> {
    const { task } = entry
    const { db } = this.options
    try {
      if (code === 0 && !entry.stopReason) {
        await rollUpJob(db, task.jobId)
        return
      }
      if (!entry.stopReason && code !== JOB_EXIT_CODES.runFailed && task.attemptsLeft > 1 && !this.closed) {
        // Like Batch's retry strategy: the same child runs again and resumes from its checkpoint.
        this.pending.unshift({ ...task, attemptsLeft: task.attemptsLeft - 1 })
        return
      }
      const job = await getJob(db, task.jobId)
      const runId = job.runIds[task.arrayIndex]
      const { status, reason } = entry.stopReason
        ?? { status: 'failed' as const, reason: `the job process exited with ${signal ? `signal ${signal}` : `code ${code}`}${stderr ? `: ${redactPii(stderr)}` : ''}` }
      await endActiveRuns(db, task.jobId, status, reason, runId ? [runId] : undefined)
    } catch (error) {
      console.error(`local runner: could not record the end of job ${task.jobId}[${task.arrayIndex}]: ${describeForLog(error)}`)
    }
  }

  private stop(entry: RunningChild, status: 'failed' | 'cancelled', reason: string): void {
    entry.stopReason ??= { status, reason }
    void this.recordStop(entry).finally(() => entry.process.kill('SIGTERM'))
    const grace = setTimeout(() => entry.process.kill('SIGKILL'), (this.options.killGraceSeconds ?? 5) * 1000)
    entry.process.once('exit', () => clearTimeout(grace))
  }

  /** The reason is durable before the process is signalled, so the child cannot record another. */
  private async recordStop(entry: RunningChild): Promise<void> {
    const { status, reason } = entry.stopReason!
    const job = await getJob(this.options.db, entry.task.jobId).catch(() => undefined)
    const runId = job?.runIds[entry.task.arrayIndex]
    if (runId) await endActiveRuns(this.options.db, entry.task.jobId, status, reason, [runId]).catch(() => {})
  }

  private notifyIfIdle(): void {
    if (this.pending.length > 0 || this.running.size > 0 || this.recordings.size > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolveWaiter of waiters) resolveWaiter()
  }
}

/** Keeps the last lines of a child's stderr, for the failure reason. */
function captureTail(child: ChildProcess, maxChars = 2000): () => string {
  let tail = ''
  child.stderr?.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-maxChars) })
  return () => tail.trim().split('\n').slice(-8).join('\n')
}
