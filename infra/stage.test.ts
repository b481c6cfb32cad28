import { describe, expect, it } from 'vitest'
import { batchResourceNames } from '@bankbench/core/batch-settings'
import { artifactLifecycleRules } from './artifact-lifecycle'
import { postgresUrl } from './database-url'
import { artifactsUri, stageResourceNames } from './names'
import { stageSettings } from './stage'

describe('stage settings', () => {
  it('keeps production data through `sst remove` and lets other stages go', () => {
    expect(stageSettings('prod')).toMatchObject({ production: true, removal: 'retain', protect: true, nat: 'managed' })
    expect(stageSettings('pr-42')).toMatchObject({ production: false, removal: 'remove', protect: false, nat: 'ec2' })
  })

  it('gives production larger Batch limits and longer logs', () => {
    const prod = stageSettings('prod')
    const dev = stageSettings('dev')
    expect(prod.batch.gpuSpotMaxVcpus).toBeGreaterThan(dev.batch.gpuSpotMaxVcpus)
    expect(prod.logRetention).toEqual({ sst: '3 months', days: 90 })
    expect(dev.logRetention).toEqual({ sst: '2 weeks', days: 14 })
  })

  it('expires checkpoints and old versions, and aborts abandoned uploads', () => {
    const rules = artifactLifecycleRules(stageSettings('dev').artifacts)
    expect(rules.find((rule) => rule.id === 'expire-checkpoints')).toMatchObject({ filter: { prefix: 'artifacts/checkpoints/' }, expiration: { days: 7 } })
    expect(rules.find((rule) => rule.id === 'expire-old-versions')).toMatchObject({ noncurrentVersionExpiration: { noncurrentDays: 7 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } })
  })
})

describe('inference function settings', () => {
  it('has a full vCPU everywhere and a warm container in production only', () => {
    expect(stageSettings('prod').inference).toEqual({ memory: '1769 MB', provisionedConcurrency: 1, reservedConcurrency: 50 })
    expect(stageSettings('dev').inference).toEqual({ memory: '1769 MB', provisionedConcurrency: 0, reservedConcurrency: 5 })
  })
})

describe('throttling and concurrency', () => {
  /** Lambda refuses reserved concurrency that leaves fewer than 100 unreserved executions in the account (docs/deploy.md). */
  const ACCOUNT_UNRESERVED_MINIMUM = 100

  it('throttles every stage at API Gateway, production higher, with bursts above the steady rate', () => {
    expect(stageSettings('dev').api.throttling).toEqual({ rateLimit: 50, burstLimit: 100 })
    expect(stageSettings('prod').api.throttling).toEqual({ rateLimit: 500, burstLimit: 1000 })
    for (const stage of ['dev', 'pr-42', 'prod']) {
      const { rateLimit, burstLimit } = stageSettings(stage).api.throttling
      expect(rateLimit).toBeGreaterThan(0)
      expect(burstLimit).toBeGreaterThanOrEqual(rateLimit)
    }
  })

  it('reserves concurrency for both functions, never below the provisioned containers, within what a default account allows', () => {
    for (const stage of ['dev', 'prod']) {
      const { api, inference } = stageSettings(stage)
      expect(api.reservedConcurrency).toBeGreaterThan(0)
      expect(inference.reservedConcurrency).toBeGreaterThanOrEqual(Math.max(1, inference.provisionedConcurrency))
      // Lambda's default account concurrency is 1,000.
      expect(api.reservedConcurrency + inference.reservedConcurrency + ACCOUNT_UNRESERVED_MINIMUM).toBeLessThanOrEqual(1000)
    }
    expect(stageSettings('dev')).toMatchObject({ api: { reservedConcurrency: 5 }, inference: { reservedConcurrency: 5 } })
    expect(stageSettings('prod')).toMatchObject({ api: { reservedConcurrency: 20 }, inference: { reservedConcurrency: 50 } })
  })
})

describe('resource names', () => {
  it('are the Batch names BatchJobQueue submits to, plus the stage-prefixed rest', () => {
    const names = stageResourceNames('dev')
    expect(names).toMatchObject(batchResourceNames('dev'))
    expect(names.jobQueue).toEqual({ trainer: 'bankbench-dev-gpu-training', indexer: 'bankbench-dev-cpu' })
    expect(names.imageRepository).toEqual({ trainer: 'bankbench-dev-trainer', indexer: 'bankbench-dev-indexer' })
  })

  it('lower-case ECR repositories for mixed-case stages and reject stages Batch cannot name', () => {
    expect(stageResourceNames('Alice').imageRepository.trainer).toBe('bankbench-alice-trainer')
    expect(() => stageResourceNames('has space')).toThrow(/cannot name AWS Batch resources/)
  })

  it('point jobs and the API at the artifacts prefix of the bucket', () => {
    expect(artifactsUri('bankbench-dev-artifacts-abc')).toBe('s3://bankbench-dev-artifacts-abc/artifacts')
  })

  it('build a DATABASE_URL that survives any generated password', () => {
    const url = postgresUrl({ username: 'postgres', password: 'p@ss/w:rd?#', host: 'db.internal', port: 5432, database: 'bankbench' })
    const parsed = new URL(url)
    expect(decodeURIComponent(parsed.password)).toBe('p@ss/w:rd?#')
    expect(parsed.host).toBe('db.internal:5432')
    expect(parsed.searchParams.get('sslmode')).toBe('no-verify')
  })
})
