import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPlatform, endActiveRuns, loadConfig, setJobExternalId, type Database, type JobQueue, type JobSubmission, type Platform } from '@bankbench/core'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { createApp } from './app'
import type { ApiEnv } from './env'

export interface TestApi {
  app: OpenAPIHono<ApiEnv>
  platform: Platform
  /** Sends a JSON body (a string is sent as is, to test malformed JSON). */
  postJson(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>
  close(): Promise<void>
}

/**
 * A queue that accepts jobs and never starts them: for tests of the API's edges
 * (validation, fuzzing) that must not train anything. Cancelling ends the job's
 * runs as the local runner does.
 */
export class HeldJobQueue implements JobQueue {
  readonly name = 'local' as const
  readonly submitted: JobSubmission[] = []

  constructor(private readonly db: Database) {}

  async submit(job: JobSubmission): Promise<{ externalId: string }> {
    this.submitted.push(job)
    const externalId = `held:${job.jobId}`
    await setJobExternalId(this.db, job.jobId, externalId)
    return { externalId }
  }

  async cancel(jobId: string, _externalId: string | null, reason: string): Promise<void> {
    await endActiveRuns(this.db, jobId, 'cancelled', reason)
  }
}

export interface TestApiOptions {
  /** false: jobs are accepted but never run (`HeldJobQueue`). Default: the local runner starts them. */
  runJobs?: boolean
}

/**
 * The app over a real embedded platform (PGlite, files, the local job runner) in a
 * fresh temporary home. It takes seconds to start: open one per test file.
 */
export async function openTestApi({ runJobs = true }: TestApiOptions = {}): Promise<TestApi> {
  const home = mkdtempSync(join(tmpdir(), 'bankbench-api-'))
  const platform = await createPlatform(loadConfig({ BANKBENCH_HOME: home }), runJobs ? {} : { queue: ({ db }) => new HeldJobQueue(db) })
  const app = createApp(platform)
  return {
    app,
    platform,
    postJson: async (path, body, headers = {}) => app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    async close() {
      await platform.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}

/** A problem response's content type and fields. */
export async function readProblem(response: Response) {
  return { contentType: response.headers.get('content-type'), body: await response.json() as { type: string; title: string; status: number; detail: string; errors?: { path: string; message: string }[] } }
}
