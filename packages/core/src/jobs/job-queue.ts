/**
 * The unit of execution. A job runs one container entrypoint; a sweep is one
 * array job whose children each take one run (AWS_BATCH_JOB_ARRAY_INDEX). An
 * `analyze` job executes no run of its own: it reads a finished run (its only
 * entry in run_ids) and adds artifacts to it.
 */
import type { SettingName } from '@bankbench/settings'

export const JOB_KINDS = ['pretrain', 'train', 'baseline', 'embed', 'index', 'vector-bench', 'hybrid', 'select', 'slots', 'generate', 'analyze'] as const
export type JobKind = (typeof JOB_KINDS)[number]

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]

/** Which container image runs a job kind (each has its own entrypoint and Batch job definition). */
export const CONTAINER_FOR_KIND: Record<JobKind, 'trainer' | 'indexer'> = {
  // slots trains the engine's token classifier: the trainer image.
  slots: 'trainer',
  // generate trains the engine's causal LM: the trainer image.
  generate: 'trainer',
  // select runs in the trainer: it needs the baselines' TF-IDF and logistic regression, and the engine for embeddings.
  pretrain: 'trainer', train: 'trainer', baseline: 'trainer', analyze: 'trainer', select: 'trainer',
  // embed encodes the dataset once per encoder; index builds (and persists) a store's index of the training
  // embeddings; hybrid indexes them in a store and serves a finished run's classifier beside it.
  embed: 'indexer', index: 'indexer', 'vector-bench': 'indexer', hybrid: 'indexer',
}

/**
 * Which job kinds of the same benchmark a job kind waits for: every job waits for the
 * benchmark's pretrain job (it makes the base model); index and vector-bench jobs for its
 * embed job (it stores the embedding sets they read, so they never encode the same texts
 * twice); a hybrid job also for its train and baseline jobs (a hybrid run mixes one of
 * their classifiers with a vector store) and its index job (whose persisted index the
 * hybrid loads instead of building its own). A failed dependency fails the job.
 */
export const JOB_DEPENDENCIES: Record<JobKind, readonly JobKind[]> = {
  pretrain: [],
  train: ['pretrain'], baseline: ['pretrain'], embed: ['pretrain'], select: ['pretrain'], slots: ['pretrain'], generate: ['pretrain'], analyze: ['pretrain'],
  index: ['pretrain', 'embed'], 'vector-bench': ['pretrain', 'embed'],
  hybrid: ['pretrain', 'train', 'baseline', 'embed', 'index'],
}

/** How many dependency levels a job kind sits above: jobs are submitted (and recovered) in this order, so a dependency always has its queue id first. */
export function jobKindRank(kind: JobKind): number {
  return JOB_DEPENDENCIES[kind].reduce((rank, dependency) => Math.max(rank, jobKindRank(dependency) + 1), 0)
}

/** Whether a job of `kind` waits for a job of `other` in the same benchmark. */
export function dependsOnKind(kind: JobKind, other: JobKind): boolean {
  return JOB_DEPENDENCIES[kind].includes(other)
}

/** What a queue needs to start a job that is already persisted in the jobs table. */
export interface JobSubmission {
  jobId: string
  kind: JobKind
  /** 1 for a single job; n > 1 submits an array job of n children. */
  arraySize: number
  timeoutSeconds: number
  /** Attempts before a child is failed (Batch retryStrategy.attempts). */
  attempts: number
  /**
   * Jobs that must succeed before this one starts (a benchmark's train jobs wait for
   * its pretrain job, which makes their base model). A failed dependency fails this job.
   */
  dependsOn?: { jobId: string; externalId: string }[]
  /**
   * The job may have reached the queue before without its external id being recorded
   * (a process that died between SubmitJob and the update, a lost response): the queue
   * looks for it first and records the one it finds instead of starting a second.
   */
  resubmission?: boolean
}

/**
 * Thrown by `submit` when the queue could not be reached (a network error, throttling,
 * a server fault) and nothing says the job was refused: the job stays stored without an
 * external id, to be submitted by a later pass (the Batch sweep), never failed for it.
 */
export class SubmissionDeferredError extends Error {
  override readonly name = 'SubmissionDeferredError'
}

export interface JobQueue {
  readonly name: 'local' | 'batch'
  /**
   * Starts a job that is already committed in the jobs table and records its external
   * id there; returns it (Batch job id, or the local id). Throws SubmissionDeferredError
   * when a later pass will submit it, any other error when the queue refused it.
   */
  submit(job: JobSubmission): Promise<{ externalId: string }>
  /** Stops a queued or running job; its state becomes cancelled. */
  cancel(jobId: string, externalId: string | null, reason: string): Promise<void>
}

/**
 * The environment contract between a queue and the container entrypoint. The
 * local runner and the Batch job definition set exactly these variables.
 */
export const JOB_ENV = {
  jobId: 'BANKBENCH_JOB_ID',
  /** Set by AWS Batch itself for array children; the local runner sets it too. */
  arrayIndex: 'AWS_BATCH_JOB_ARRAY_INDEX',
  databaseUrl: 'DATABASE_URL',
  artifacts: 'BANKBENCH_ARTIFACTS',
  s3Endpoint: 'BANKBENCH_S3_ENDPOINT',
  heartbeatSeconds: 'BANKBENCH_HEARTBEAT_SECONDS',
} as const satisfies Record<string, SettingName>

/**
 * Exit codes of the entrypoint that the queues act on. A run that failed for a
 * reason a retry cannot fix (bad data, a bug) exits with `runFailed`, and neither
 * the local runner nor Batch's retry strategy tries it again; any other non-zero
 * exit (killed, out of memory, spot reclaim) is retried while attempts remain.
 */
export const JOB_EXIT_CODES = { runFailed: 2, retryable: 75 } as const
