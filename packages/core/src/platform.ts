import { join } from 'node:path'
import { BatchClient } from '@aws-sdk/client-batch'
import type { BankbenchConfig } from './config'
import { openDatabase, type Database } from './db/connect'
import { registerBanking77 } from './datasets/register'
import { describeForLog } from './describe-for-log'
import type { JobQueue } from './jobs/job-queue'
import { BatchJobQueue } from './jobs/batch/batch-job-queue'
import { LocalJobRunner } from './jobs/local-runner'
import type { ArtifactStore } from './storage/artifact-store'
import { createArtifactStore } from './storage/create-artifact-store'

/** Everything a request handler or a CLI command needs, wired from configuration. */
export interface Platform {
  config: BankbenchConfig
  db: Database
  /** The connection string job processes use. */
  databaseUrl: string
  store: ArtifactStore
  queue: JobQueue
  close(): Promise<void>
}

export interface PlatformOverrides {
  /** Use this queue instead of the one the configuration names. */
  queue?: (services: { db: Database; databaseUrl: string; store: ArtifactStore }) => JobQueue
  /** Skip registering the built-in datasets (tests that need an empty store). */
  skipBuiltinDatasets?: boolean
  /**
   * A process that only reads (the inference function, connected as the read-only
   * classify role): no migration, no built-in datasets, and a queue that refuses
   * every job instead of the local runner (which would fail orphaned jobs on start).
   */
  readOnly?: boolean
}

/** The job queue of a read-only platform: it never starts or stops a job. */
const refusingQueue = (name: JobQueue['name']): JobQueue => ({
  name,
  submit: () => Promise.reject(new Error('this process is read-only: it submits no jobs')),
  cancel: () => Promise.reject(new Error('this process is read-only: it cancels no jobs')),
})

/**
 * Opens the database (migrating it), the artifact store and the job queue. The
 * embedded defaults: PGlite under <home>/pgdata, files under <home>/artifacts, the
 * local runner; on AWS: RDS, S3 and AWS Batch (BANKBENCH_QUEUE=batch). Registers the built-in Banking77 dataset (idempotent).
 */
export async function createPlatform(config: BankbenchConfig, overrides: PlatformOverrides = {}): Promise<Platform> {
  const database = await openDatabase({
    ...(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.home, 'pgdata') }),
    ...(overrides.readOnly ? { migrate: false } : {}),
  })
  const store = createArtifactStore(config.artifactsUri, { env: { BANKBENCH_S3_ENDPOINT: config.s3Endpoint } })
  let queue: JobQueue
  if (overrides.readOnly) {
    queue = refusingQueue(config.queue)
  } else if (overrides.queue) {
    queue = overrides.queue({ db: database.db, databaseUrl: database.url, store })
  } else if (config.queue === 'local') {
    const runner = new LocalJobRunner({
      db: database.db,
      databaseUrl: database.url,
      artifactsUri: store.uri,
      concurrency: config.concurrency,
      logDir: join(config.home, 'logs'),
      env: config.s3Endpoint ? { BANKBENCH_S3_ENDPOINT: config.s3Endpoint } : {},
    })
    await runner.recoverJobs()
    queue = runner
  } else {
    const batch = new BatchJobQueue({ db: database.db, client: new BatchClient({}), stage: config.stage, artifactsUri: store.uri })
    // The outbox's startup pass: jobs a crashed process committed but never submitted (the sweep does it too).
    await batch.submitOutstanding().catch((error) => console.error(`could not submit the jobs left without a Batch job id: ${describeForLog(error)}`))
    queue = batch
  }
  if (!overrides.skipBuiltinDatasets && !overrides.readOnly) await registerBanking77(database.db, store)
  return {
    config,
    db: database.db,
    databaseUrl: database.url,
    store,
    queue,
    async close() {
      if (queue instanceof LocalJobRunner) await queue.close()
      await database.close()
    },
  }
}
