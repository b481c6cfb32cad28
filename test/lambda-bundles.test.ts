/**
 * The Lambda bundles that infra deploys, built by scripts/build-lambdas.ts and run
 * in this process with the events API Gateway and EventBridge send: proof that the
 * bundles resolve their dependencies, find the migrations and Banking77 beside them,
 * and answer with the environment infra/ gives them.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  benchmarkSpecSchema, FsArtifactStore, listRunsOfBenchmark, LocalJobRunner, openDatabase, registerDataset, submitBenchmark, type DatabaseHandle,
} from '@bankbench/core'
import { loadServedModel } from '@bankbench/serving'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LAMBDA_BUNDLES, type LambdaBundleName } from '../infra/lambda-bundles'
import { buildLambdaBundle } from '../scripts/build-lambdas'
import { TINY_BACKBONE, tinyIntentExamples, tinyIntentSplits } from './fixtures/tiny-intents'

type Handler = (event: unknown, context?: unknown) => Promise<unknown>

describe('Lambda bundles', () => {
  // Under a node_modules folder, vitest leaves a module to Node's own loader, as Lambda
  // loads it, instead of re-transforming each multi-megabyte bundle (three times slower).
  const outRoot = join(mkdtempSync(join(tmpdir(), 'bankbench-lambdas-')), 'node_modules')
  const handlers = {} as Record<LambdaBundleName, Handler>
  let database: DatabaseHandle
  let trainedBenchmark = ''

  beforeAll(async () => {
    // The embedded database, served over the wire protocol: the bundles reach it by DATABASE_URL as they reach RDS.
    database = await openDatabase({ migrate: false })
    vi.stubEnv('DATABASE_URL', database.url)
    vi.stubEnv('BANKBENCH_QUEUE', 'batch')
    vi.stubEnv('BANKBENCH_STAGE', 'ci')
    vi.stubEnv('BANKBENCH_ARTIFACTS', pathToFileURL(join(outRoot, 'artifacts')).href)
    vi.stubEnv('AWS_REGION', 'eu-west-1')
    vi.stubEnv('BANKBENCH_ADMIN_API_KEYS', OPERATOR_KEY)
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
    expect((await callApi(handlers.api, 'GET', '/v1/datasets/banking77')).statusCode).toBe(401)
    const response = await callApi(handlers.api, 'GET', '/v1/datasets/banking77', undefined, OPERATOR)
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body)).toMatchObject({ id: 'banking77', labelCount: 77 })

    const health = (await handlers.api(httpApiEvent('GET', '/health'), {})) as { statusCode: number; body: string }
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', database: { reachable: true }, queue: { name: 'batch' } })
  })

  it('api + inference: deploys a trained run (smoke check on the bundled wasm backend), then classifies through the inference function', async () => {
    // Train through the local runner into the database and artifact store the bundles use (the API migrated it above).
    const store = new FsArtifactStore(join(outRoot, 'artifacts'))
    const queue = new LocalJobRunner({ db: database.db, databaseUrl: database.url, artifactsUri: store.uri, logDir: join(outRoot, 'logs') })
    await registerDataset(database.db, store, {
      id: 'intents', name: 'intents', source: 'upload',
      splits: tinyIntentSplits(),
    })
    const train = async (spec: object) => {
      const { benchmark } = await submitBenchmark({ db: database.db, queue, jobAttempts: 1 }, benchmarkSpecSchema.parse({ dataset: 'intents', ...spec }))
      await queue.idle()
      return (await listRunsOfBenchmark(database.db, benchmark.id))[0]!
    }
    await train({ arms: [{ method: 'mlm-pretrain', config: TINY_BACKBONE }], protocol: { epochs: 1, timeoutSeconds: 120 } })
    const run = await train({ arms: [{ method: 'lora', config: { batch_size: 4, max_length: 16, learning_rate: 0.005, r: 4 } }], protocol: { epochs: 2, timeoutSeconds: 120 } })
    await queue.close()
    expect([run.status, run.error]).toEqual(['succeeded', null])

    const key = (JSON.parse((await callApi(handlers.api, 'POST', '/v1/api-keys', { stage: 'ci' }, OPERATOR)).body) as { key: string }).key
    const deployed = await callApi(handlers.api, 'POST', '/v1/deployments', { stage: 'ci', runId: run.id }, OPERATOR)
    expect(deployed.statusCode).toBe(201)
    // ONNX Runtime loaded from the bundle's own node_modules (the engine, on the bundled wasm binaries, was the smoke check's reference).
    expect(JSON.parse(deployed.body)).toMatchObject({ status: 'active', smokeCheck: { passed: true, mergedLora: true, backend: 'onnxruntime' } })

    const texts = tinyIntentExamples(5, 6).map((example) => example.text)
    const answered = await callApi(handlers.inference, 'POST', '/v1/classify/batch', { stage: 'ci', texts }, { authorization: `Bearer ${key}` })
    expect(answered.statusCode).toBe(200)
    const { results } = JSON.parse(answered.body) as { results: { intent: string; confidence: number }[] }
    // What the engine predicts from the run's files, outside any bundle.
    const reference = await loadServedModel(database.db, store, run.id, { merge: false, runtime: 'engine' })
    expect(results.map((result) => result.intent)).toEqual((await reference.predictor.predict(texts)).map((prediction) => prediction.label))
    await reference.predictor.dispose()
    const unauthorised = await callApi(handlers.inference, 'POST', '/v1/classify', { stage: 'ci', text: texts[0] })
    expect(unauthorised.statusCode).toBe(401)
    trainedBenchmark = run.benchmarkId
  }, 180_000)

  it('api: prints the report PDF with the Chromium and playwright-core in its own node_modules, as on Lambda', async () => {
    // What AWS_LAMBDA_FUNCTION_NAME selects on Lambda, decompressed into a temporary folder of this test's own, not the machine's /tmp.
    vi.stubEnv('BANKBENCH_CHROMIUM_SOURCE', 'sparticuz')
    vi.stubEnv('TMPDIR', join(outRoot, 'tmp'))
    mkdirSync(join(outRoot, 'tmp'))
    const response = (await handlers.api(httpApiEvent('GET', `/v1/benchmarks/${trainedBenchmark}/report.pdf`, OPERATOR), {})) as { statusCode: number; body: string; isBase64Encoded: boolean }
    expect(response.statusCode).toBe(200)
    const pdf = Buffer.from(response.body, response.isBase64Encoded ? 'base64' : 'latin1')
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(existsSync(join(outRoot, 'tmp', 'chromium'))).toBe(true)
  }, 120_000)

  it('batch-events: drops a state change of a Batch job that is not ours', async () => {
    const outcome = await handlers['batch-events'](batchJobStateChange('0f2b6ab8-1c6e-4c55-9a55-6f6b6a6f0e5c'))
    expect(outcome).toMatchObject({ kind: 'ignored' })
  })

  it('batch-sweep: with no active or unsubmitted Batch job, asks Batch nothing', async () => {
    const result = await handlers['batch-sweep'](scheduledEvent())
    expect(result).toEqual({ reconciled: [], failedAsMissing: [], outbox: { submitted: [], refused: [], deferred: [] } })
  })
})

/** The stage's ApiKeys secret, as infra/api.ts passes it: management routes require it. */
const OPERATOR_KEY = 'bundle-test-operator-key-0123456789'
const OPERATOR = { authorization: `Bearer ${OPERATOR_KEY}` }


async function callApi(handler: Handler, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const event = httpApiEvent(method, path, { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) })
  return (await handler(body === undefined ? event : { ...event, body: JSON.stringify(body) }, {})) as { statusCode: number; body: string }
}

/** An API Gateway HTTP API (payload format 2.0) request, as the `$default` route receives it. */
function httpApiEvent(method: string, path: string, headers: Record<string, string> = {}) {
  return {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', isBase64Encoded: false,
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'user-agent': 'vitest', ...headers },
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
