import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchmarkSpecSchema } from '../benchmarks/spec'
import { planRuns } from '../benchmarks/plan'
import type { DatabaseHandle } from '../db/connect'
import { testDatabaseTargets } from '../db/testing'
import { STORED_REASON_MAX_LENGTH } from '../describe-for-log'
import { cancelQueuedRuns, createBenchmark } from './benchmarks'
import { saveDataset } from './datasets'
import { endActiveRuns, finishJob, getJob } from './jobs'
import { endRun, getRun, listRunsOfBenchmark } from './runs'

/** A reason as a careless writer would build it: customer text, a terminal escape, a NUL, and far too long. */
const DIRTY_REASON = 'tokenizer failed on "my card 4111 1111 1111 1111, mail jane.doe@example.com, call 07700 900123"\u001b[31m\u0000 ' + 'x'.repeat(10_000)
// eslint-disable-next-line no-control-regex
const LEAKS = /4111|jane\.doe|07700|[\u0000-\u0009\u000b-\u001f\u007f]/

for (const target of testDatabaseTargets()) {
  describe(`stored failure reasons on ${target.name}`, () => {
    let database: DatabaseHandle
    beforeAll(async () => {
      database = await target.open()
      await saveDataset(database.db, { id: 'ds', name: 'ds', source: 'upload', contentHash: 'hash', labels: ['a', 'b'], splits: { train: 1, validation: 1, test: 1 }, artifactKey: 'datasets/x' })
    })
    afterAll(() => database.close())

    const create = async () => {
      const spec = benchmarkSpecSchema.parse({ dataset: 'ds', arms: [{ method: 'majority' }], protocol: { seeds: [1, 2] } })
      const { benchmark, jobIds } = await createBenchmark(database.db, { name: 'test', datasetId: 'ds', spec, plannedRuns: planRuns(spec), queue: 'local', timeoutSeconds: 60, attempts: 1 })
      return { benchmarkId: benchmark.id, jobId: jobIds[0]!, runs: await listRunsOfBenchmark(database.db, benchmark.id) }
    }

    const expectClean = (stored: string | null) => {
      expect(stored).not.toBeNull()
      expect(stored!).not.toMatch(LEAKS)
      expect(stored!.length).toBeLessThanOrEqual(STORED_REASON_MAX_LENGTH)
      expect(stored!).toContain('tokenizer failed on "my card [CARD], mail [EMAIL], call [PHONE]"')
    }

    it('endRun stores the reason redacted, without control characters, bounded', async () => {
      const { runs } = await create()
      await endRun(database.db, runs[0]!.id, 'failed', DIRTY_REASON)
      expectClean((await getRun(database.db, runs[0]!.id)).error)
    })

    it("endActiveRuns does the same for the runs' error and the job's status reason", async () => {
      const { jobId, runs } = await create()
      await endActiveRuns(database.db, jobId, 'failed', DIRTY_REASON)
      for (const run of runs) expectClean((await getRun(database.db, run.id)).error)
      const job = await getJob(database.db, jobId)
      expect(job.status).toBe('failed')
      expectClean(job.statusReason)
    })

    it('cancelQueuedRuns and finishJob do the same', async () => {
      const { benchmarkId, runs } = await create()
      await cancelQueuedRuns(database.db, benchmarkId, DIRTY_REASON)
      for (const run of runs) expectClean((await getRun(database.db, run.id)).error)
      const { jobId } = await create()
      expect(await finishJob(database.db, jobId, 'failed', DIRTY_REASON)).toBe(true)
      expectClean((await getJob(database.db, jobId)).statusReason)
    })

    it('keeps codes and short reasons as they are', async () => {
      const { runs } = await create()
      await endRun(database.db, runs[0]!.id, 'failed', 'failed query: select 1 (SQLSTATE 57014)\nHTTP 429: rate limited')
      expect((await getRun(database.db, runs[0]!.id)).error).toBe('failed query: select 1 (SQLSTATE 57014)\nHTTP 429: rate limited')
    })
  })
}
