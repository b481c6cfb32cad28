/**
 * The Lambda bundles that infra deploys, built by scripts/build-lambdas.ts and run
 * in this process with the events API Gateway and EventBridge send: proof that the
 * bundles resolve their dependencies, find the migrations and Banking77 beside them,
 * and answer with the environment infra/ gives them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { openDatabase, type DatabaseHandle } from '@bankbench/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LAMBDA_BUNDLES, type LambdaBundleName } from '../infra/lambda-bundles'
import { buildLambdaBundle } from '../scripts/build-lambdas'

type Handler = (event: unknown, context?: unknown) => Promise<unknown>

describe('Lambda bundles', () => {
  // Under a node_modules folder, vitest leaves a module to Node's own loader, as Lambda
  // loads it, instead of re-transforming each multi-megabyte bundle (three times slower).
  const outRoot = join(mkdtempSync(join(tmpdir(), 'bankbench-lambdas-')), 'node_modules')
  const handlers = {} as Record<LambdaBundleName, Handler>
  let database: DatabaseHandle

  beforeAll(async () => {
    // The embedded database, served over the wire protocol: the bundles reach it by DATABASE_URL as they reach RDS.
    database = await openDatabase({ migrate: false })
    vi.stubEnv('DATABASE_URL', database.url)
    vi.stubEnv('BANKBENCH_QUEUE', 'batch')
    vi.stubEnv('BANKBENCH_STAGE', 'ci')
    vi.stubEnv('BANKBENCH_ARTIFACTS', pathToFileURL(join(outRoot, 'artifacts')).href)
    vi.stubEnv('AWS_REGION', 'eu-west-1')
    vi.spyOn(console, 'log').mockImplementation(() => {})
    await Promise.all((Object.keys(LAMBDA_BUNDLES) as LambdaBundleName[]).map(async (name) => {
      const { outDir } = await buildLambdaBundle(name, join(outRoot, name))
      handlers[name] = ((await import(pathToFileURL(join(outDir, 'index.mjs')).href)) as { handler: Handler }).handler
    }))
  })

  afterAll(async () => {
    vi.unstubAllEnvs()
    vi.restoreAllMocks()
    await database.close()
    rmSync(dirname(outRoot), { recursive: true, force: true })
  })

  it('api: migrates on its first request, registers Banking77 from its bundled data and answers API Gateway', async () => {
    const response = (await handlers.api(httpApiEvent('GET', '/v1/datasets/banking77'), {})) as { statusCode: number; body: string }
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body)).toMatchObject({ id: 'banking77', labelCount: 77 })

    const health = (await handlers.api(httpApiEvent('GET', '/health'), {})) as { statusCode: number; body: string }
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', database: { reachable: true }, queue: { name: 'batch' } })
  })

  it('batch-events: drops a state change of a Batch job that is not ours', async () => {
    const outcome = await handlers['batch-events'](batchJobStateChange('0f2b6ab8-1c6e-4c55-9a55-6f6b6a6f0e5c'))
    expect(outcome).toMatchObject({ kind: 'ignored' })
  })

  it('batch-sweep: with no active Batch job, asks Batch nothing', async () => {
    const result = await handlers['batch-sweep'](scheduledEvent())
    expect(result).toEqual({ reconciled: [], failedAsMissing: [] })
  })
})

/** An API Gateway HTTP API (payload format 2.0) request, as the `$default` route receives it. */
function httpApiEvent(method: string, path: string) {
  return {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', isBase64Encoded: false,
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'user-agent': 'vitest' },
    requestContext: {
      accountId: '123456789012', apiId: 'abc123', domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'request-1', routeKey: '$default', stage: '$default', time: '25/Nov/2026:17:00:00 +0000', timeEpoch: 1795626000000,
    },
  }
}

/** A "Batch Job State Change" event as EventBridge delivers it (AWS Batch user guide, job state change events). */
function batchJobStateChange(jobId: string) {
  return {
    version: '0', id: 'c8f9c4b5-76e5-d76a-f980-7011e206042b', 'detail-type': 'Batch Job State Change', source: 'aws.batch',
    account: '123456789012', time: '2026-11-25T17:00:00Z', region: 'eu-west-1',
    resources: [`arn:aws:batch:eu-west-1:123456789012:job/${jobId}`],
    detail: {
      jobArn: `arn:aws:batch:eu-west-1:123456789012:job/${jobId}`, jobName: 'someone-else', jobId,
      jobQueue: 'arn:aws:batch:eu-west-1:123456789012:job-queue/bankbench-ci-gpu-training', status: 'RUNNABLE', attempts: [],
      createdAt: 1795626000000, retryStrategy: { attempts: 1 }, dependsOn: [], jobDefinition: 'arn:aws:batch:eu-west-1:123456789012:job-definition/bankbench-ci-trainer:1',
      parameters: {}, container: {}, tags: {},
    },
  }
}

function scheduledEvent() {
  return {
    version: '0', id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa', 'detail-type': 'Scheduled Event', source: 'aws.events',
    account: '123456789012', time: '2026-11-25T17:00:00Z', region: 'eu-west-1',
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/bankbench-ci-BatchSweep'], detail: {},
  }
}
