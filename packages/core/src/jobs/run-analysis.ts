/**
 * LoRA analysis of a finished run, as a job: `analyze` runs in the trainer
 * container (a big model must not be loaded inside an API request), reads the run's
 * adapter and the benchmark's other runs, and stores its result as an artifact of
 * the analysed run. The run's artifact row is the pointer the API reads it back by.
 */
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/connect'
import { jobs } from '../db/schema'
import { ProblemError } from '../errors'
import { newId } from '../ids'
import { endActiveRuns, getJob, type JobRow } from '../repositories/jobs'
import { getRun, listRunArtifacts } from '../repositories/runs'
import type { ArtifactStore } from '../storage/artifact-store'
import { LORA_METHODS } from '../contracts/run-config'
import type { JobQueue, JobStatus } from './job-queue'
import { isTerminal } from './status'

/** Where the analysis lands, under the analysed run's artifacts (runs/<id>/…). */
export const LORA_ANALYSIS_ARTIFACT = 'analysis/lora-analysis.json'

const ANALYSIS_TIMEOUT_SECONDS = 3600

export interface RunAnalysisServices {
  db: Database
  queue: JobQueue
  jobAttempts: number
}

/**
 * Starts an analysis of a succeeded LoRA run, or returns the one already queued or
 * running for it (asking twice does not analyse twice).
 */
export async function submitRunAnalysis(services: RunAnalysisServices, runId: string): Promise<JobRow> {
  const run = await getRun(services.db, runId)
  if (!(LORA_METHODS as readonly string[]).includes(run.method)) {
    throw new ProblemError('invalid-state', `run '${runId}' is a ${run.method} run; the LoRA analysis needs a ${LORA_METHODS.join(' or ')} run`)
  }
  if (run.status !== 'succeeded') {
    throw new ProblemError('invalid-state', `run '${runId}' is ${run.status}; only a succeeded run has an adapter to analyse`)
  }
  const latest = await latestAnalysisJob(services.db, runId)
  if (latest && !isTerminal(latest.status)) return latest
  const [job] = await services.db.insert(jobs).values({
    id: newId('job'), kind: 'analyze', queue: services.queue.name, benchmarkId: run.benchmarkId, runIds: [run.id], arraySize: 1,
    timeoutSeconds: ANALYSIS_TIMEOUT_SECONDS, attempts: services.jobAttempts,
  }).returning()
  try {
    await services.queue.submit({ jobId: job!.id, kind: 'analyze', arraySize: 1, timeoutSeconds: job!.timeoutSeconds, attempts: job!.attempts })
  } catch (error) {
    await endActiveRuns(services.db, job!.id, 'failed', `the ${services.queue.name} queue refused the job: ${error instanceof Error ? error.message : String(error)}`)
  }
  return getJob(services.db, job!.id)
}

/** The newest analyze job of a run. */
export async function latestAnalysisJob(db: Database, runId: string): Promise<JobRow | undefined> {
  const [job] = await db.select().from(jobs)
    .where(and(eq(jobs.kind, 'analyze'), sql`${jobs.runIds} @> ${JSON.stringify([runId])}::jsonb`))
    .orderBy(desc(jobs.createdAt)).limit(1)
  return job
}

export interface RunAnalysis {
  runId: string
  /** succeeded once a result is stored; else the latest analysis job's status. */
  status: JobStatus
  job: JobRow | null
  artifactKey: string | null
  /** The stored analysis (LORA_ANALYSIS_ARTIFACT), once there is one. */
  result: Record<string, unknown> | null
}

/** The stored analysis of a run with its latest job; 404 when none was ever asked for. */
export async function getRunAnalysis(db: Database, store: ArtifactStore, runId: string): Promise<RunAnalysis> {
  const run = await getRun(db, runId)
  const job = await latestAnalysisJob(db, run.id) ?? null
  const artifact = (await listRunArtifacts(db, run.id)).find((candidate) => candidate.name === LORA_ANALYSIS_ARTIFACT)
  if (!job && !artifact) {
    throw new ProblemError('not-found', `run '${runId}' has no LoRA analysis; start one with POST /v1/runs/${runId}/analysis`)
  }
  // A newer analysis still in progress is reported as such, with the previous result.
  const result = artifact ? JSON.parse(new TextDecoder().decode(await store.get(artifact.key))) as Record<string, unknown> : null
  const status: JobStatus = job && !isTerminal(job.status) ? job.status : artifact ? 'succeeded' : job!.status
  return { runId: run.id, status, job, artifactKey: artifact?.key ?? null, result }
}
