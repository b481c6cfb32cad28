import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchmarkSpecSchema } from '../benchmarks/spec'
import { submitBenchmark } from '../benchmarks/service'
import type { DatabaseHandle } from '../db/connect'
import { testDatabaseTargets } from '../db/testing'
import { registerDataset } from '../datasets/register'
import { getBenchmark } from '../repositories/benchmarks'
import { getJob } from '../repositories/jobs'
import { listRunMetrics, listRunsOfBenchmark } from '../repositories/runs'
import { FsArtifactStore } from '../storage/fs-artifact-store'
import { SubmissionDeferredError } from './job-queue'
import { LocalJobRunner, nativeThreadsPerJob } from './local-runner'

const ENTRYPOINT = fileURLToPath(new URL('./testing/scripted-entrypoint.ts', import.meta.url))
const RUNNER_PROCESS = fileURLToPath(new URL('./testing/runner-process.ts', import.meta.url))
const examples = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `message ${i}`, label: i % 2 ? 'a' : 'b' }))

describe('nativeThreadsPerJob', () => {
  it('shares the cores among the jobs that run at once, at least one each, unless BANKBENCH_NATIVE_THREADS is set', () => {
    expect(nativeThreadsPerJob(1, {}, 2)).toBe('2')
    expect(nativeThreadsPerJob(2, {}, 2)).toBe('1')
    expect(nativeThreadsPerJob(3, {}, 8)).toBe('2')
    expect(nativeThreadsPerJob(4, {}, 2)).toBe('1')
    expect(nativeThreadsPerJob(2, { BANKBENCH_NATIVE_THREADS: '4' }, 2)).toBe('4')
  })
})

for (const target of testDatabaseTargets()) {
  describe(`LocalJobRunner on ${target.name}`, () => {
    let database: DatabaseHandle
    let store: FsArtifactStore
    let directory: string

    beforeAll(async () => {
      database = await target.open()
      directory = mkdtempSync(join(tmpdir(), 'bankbench-runner-'))
      store = new FsArtifactStore(join(directory, 'artifacts'))
      await registerDataset(database.db, store, { id: 'tiny', name: 'tiny', source: 'upload', splits: { labels: ['a', 'b'], train: examples(20), validation: examples(4), test: examples(4) } })
    })
    afterAll(async () => {
      await database.close()
      rmSync(directory, { recursive: true, force: true })
    })

    function runner(behaviour: string, options: { attempts?: number; timeoutSeconds?: number; logDir?: string } = {}) {
      const queue = new LocalJobRunner({
        db: database.db, databaseUrl: database.url, artifactsUri: store.uri, concurrency: 2, killGraceSeconds: 1, logDir: options.logDir,
        env: { SCRIPTED_BEHAVIOUR: behaviour },
        command: () => ({ file: process.execPath, args: ['--import', 'tsx', ENTRYPOINT] }),
      })
      const services = { db: database.db, queue, jobAttempts: options.attempts ?? 1 }
      const submit = (arms: object[]) => submitBenchmark(services, benchmarkSpecSchema.parse({
        dataset: 'tiny', arms, protocol: { seeds: [1], timeoutSeconds: options.timeoutSeconds ?? 60 },
      }))
      return { queue, submit }
    }

    it('runs every array child to completion and rolls the status up', async () => {
      const { queue, submit } = runner('succeed')
      const { benchmark } = await submit([{ method: 'majority' }, { method: 'random' }])
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded'])
      expect(runs[0]!.summary).toMatchObject({ accuracy: 0.5 })
      expect(runs[0]!.environment).toMatchObject({ datasetHash: expect.any(String), node: process.version })
      expect(await listRunMetrics(database.db, runs[0]!.id)).toMatchObject([{ name: 'train_loss', value: 1.5, step: 1 }])
      expect((await getJob(database.db, runs[0]!.jobId!)).status).toBe('succeeded')
      expect((await getBenchmark(database.db, benchmark.id)).status).toBe('succeeded')
    })

    it('marks a run whose process dies as failed with the exit code', async () => {
      const { queue, submit } = runner('crash')
      const { benchmark } = await submit([{ method: 'majority' }])
      await queue.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(run!.status).toBe('failed')
      expect(run!.error).toContain('exited with code 3')
      expect((await getBenchmark(database.db, benchmark.id)).status).toBe('failed')
    })

    it('records the error of a handler that throws', async () => {
      const { queue, submit } = runner('throw')
      const { benchmark } = await submit([{ method: 'majority' }])
      await queue.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(run!.status).toBe('failed')
      expect(run!.error).toBe('the scripted handler failed on purpose')
    })

    it('keeps PII out of a job\'s log and its stored error, whatever the handler quotes', async () => {
      const logDir = join(directory, 'job-logs')
      const { queue, submit } = runner('quote-customer-text', { logDir })
      const { benchmark } = await submit([{ method: 'majority' }])
      await queue.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(run!.error).toBe('could not tokenize "my iban is [IBAN]"')
      const log = readdirSync(logDir).map((name) => readFileSync(join(logDir, name), 'utf8')).join('\n')
      expect(log).toContain('odd example: "card [CARD] lost, mail [EMAIL]"')
      expect(log).toContain('could not tokenize "my iban is [IBAN]"')
      for (const secret of ['4111', 'jane.doe', 'gb82']) expect(log.toLowerCase()).not.toContain(secret)
    })

    it('retries a crashed child when attempts remain, and the retry finishes the run', async () => {
      const { queue, submit } = runner('crash-once', { attempts: 2 })
      const { benchmark } = await submit([{ method: 'majority' }])
      await queue.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(run!.status).toBe('succeeded')
      expect(run!.summary).toMatchObject({ attempt: 2 })
    })

    it('kills a child that runs past its timeout', async () => {
      const { queue, submit } = runner('hang', { timeoutSeconds: 10 })
      const { benchmark } = await submit([{ method: 'majority' }])
      await queue.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(run!.status).toBe('failed')
      expect(run!.error).toBe('timed out after 10 s')
    })

    it('cancels a running job: the process stops and the runs are cancelled', async () => {
      const { queue, submit } = runner('hang')
      const { benchmark } = await submit([{ method: 'majority' }])
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      await waitFor(async () => (await listRunsOfBenchmark(database.db, benchmark.id))[0]!.status === 'running')
      await queue.cancel(run!.jobId!, null, 'cancelled by the user')
      await queue.idle()
      const [after] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(after!.status).toBe('cancelled')
      expect((await getBenchmark(database.db, benchmark.id)).status).toBe('cancelled')
    })

    it('starts the other jobs of a benchmark only after its pretrain job succeeded', async () => {
      const { queue, submit } = runner('succeed')
      const { benchmark } = await submit([{ method: 'majority' }, { method: 'mlm-pretrain' }])
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      const pretrain = runs.find((run) => run.method === 'mlm-pretrain')!
      const baseline = runs.find((run) => run.method === 'majority')!
      expect([pretrain.status, baseline.status]).toEqual(['succeeded', 'succeeded'])
      expect(baseline.startedAt!.getTime()).toBeGreaterThanOrEqual(pretrain.finishedAt!.getTime())
    })

    it('starts a hybrid job only after the benchmark\'s baseline job ended (it mixes a baseline run\'s classifier)', async () => {
      const { queue, submit } = runner('slow-baseline')
      const { benchmark } = await submit([{ method: 'hybrid', config: { classifier: 'majority', store: 'exact' } }, { method: 'majority' }])
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      const hybrid = runs.find((run) => run.method === 'hybrid')!
      const baseline = runs.find((run) => run.method === 'majority')!
      expect([baseline.status, hybrid.status]).toEqual(['succeeded', 'succeeded'])
      expect(hybrid.startedAt!.getTime()).toBeGreaterThanOrEqual(baseline.finishedAt!.getTime())
    })

    it('fails the dependent jobs when the pretrain job fails', async () => {
      const { queue, submit } = runner('pretrain-fails')
      const { benchmark } = await submit([{ method: 'majority' }, { method: 'mlm-pretrain' }])
      await queue.idle()
      const runs = await listRunsOfBenchmark(database.db, benchmark.id)
      const baseline = runs.find((run) => run.method === 'majority')!
      expect(runs.find((run) => run.method === 'mlm-pretrain')!.error).toBe('the scripted pretraining failed on purpose')
      expect(baseline.status).toBe('failed')
      expect(baseline.error).toMatch(/depends on, failed$/)
      expect(baseline.startedAt).toBeNull()
    })

    it('takes over the jobs of a runner killed with -9: its child ends with it, the run is queued again and finishes once', async () => {
      // Committed but never submitted (the outbox case), then started by a runner in its own process.
      const held = { name: 'local' as const, submit: async () => { throw new SubmissionDeferredError('held') }, cancel: async () => {} }
      const { benchmark } = await submitBenchmark({ db: database.db, queue: held, jobAttempts: 1 }, benchmarkSpecSchema.parse({ dataset: 'tiny', arms: [{ method: 'majority' }], protocol: { seeds: [1] } }))
      const doomed = spawn(process.execPath, ['--import', 'tsx', RUNNER_PROCESS], {
        stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DATABASE_URL: database.url, BANKBENCH_ARTIFACTS: store.uri, SCRIPTED_BEHAVIOUR: 'hang' },
      })
      await waitFor(async () => (await listRunsOfBenchmark(database.db, benchmark.id))[0]!.status === 'running', 60_000)
      const childPid = (await listRunsOfBenchmark(database.db, benchmark.id))[0]!.environment!.pid as number
      doomed.kill('SIGKILL')
      await waitFor(async () => !isAlive(childPid), 10_000)

      const successor = new LocalJobRunner({
        db: database.db, databaseUrl: database.url, artifactsUri: store.uri, env: { SCRIPTED_BEHAVIOUR: 'succeed' },
        command: () => ({ file: process.execPath, args: ['--import', 'tsx', ENTRYPOINT] }),
      })
      expect(await successor.recoverJobs()).toEqual({ jobs: 1, children: 1 })
      await successor.idle()
      const [run] = await listRunsOfBenchmark(database.db, benchmark.id)
      expect(run!.status).toBe('succeeded')
      expect(run!.summary).toMatchObject({ attempt: 2 })
      // The step both attempts reported is recorded once.
      expect(await listRunMetrics(database.db, run!.id)).toHaveLength(1)
      expect((await getBenchmark(database.db, benchmark.id)).status).toBe('succeeded')
    }, 120_000)
  })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
