import { LAMBDA_HANDLER, LAMBDA_RUNTIME, lambdaBundleDirectory } from './lambda-bundles'
import { artifactsUri } from './names'
import { apiArtifactsStatements, batchSubmitStatements, functionPermissions } from './policies'
import type { StageSettings } from './stage'

export interface ApiInputs {
  settings: StageSettings
  vpc: sst.aws.Vpc
  bucket: sst.aws.Bucket
  databaseUrl: $util.Output<string>
  /** The operators' keys (the ApiKeys secret): every /v1 route but classify requires one. */
  adminApiKeys: sst.Secret
}

/**
 * The Hono app of @bankbench/api (entry functions/api/lambda.ts) behind an HTTP API. It runs in the VPC
 * to reach the database, submits jobs to this stage's Batch queues, reads the
 * artifacts and writes and deletes datasets (policies.ts: explicit actions, never
 * SST's `link`, which would grant `s3:*`). API Gateway throttles the whole stage and
 * the function has reserved concurrency (`settings.api`).
 */
export function createApi({ settings, vpc, bucket, databaseUrl, adminApiKeys }: ApiInputs) {
  const region = aws.getRegionOutput().region
  const accountId = aws.getCallerIdentityOutput().accountId
  const { throttling, reservedConcurrency } = settings.api
  const api = new sst.aws.ApiGatewayV2('Api', {
    transform: {
      // Every route of the `$default` stage, classify included: beyond these, 429 before any function runs.
      stage: (args) => {
        args.defaultRouteSettings = { throttlingRateLimit: throttling.rateLimit, throttlingBurstLimit: throttling.burstLimit }
      },
    },
  })
  api.route('$default', {
    bundle: lambdaBundleDirectory('api'),
    handler: LAMBDA_HANDLER,
    runtime: LAMBDA_RUNTIME,
    // Cold start: connect, migrate (a no-op once applied) and register Banking77. 30 s is
    // also API Gateway's own limit for an HTTP API's integration, so a longer one would never be used.
    timeout: '30 seconds',
    // The PDF report prints here with @sparticuz/chromium (packages/report/README.md, "PDF on
    // AWS Lambda"): its README asks for 1,600 MB or more; 2,048 MB gives 1.16 vCPU for the
    // decompression and the print, and room beside the API's own memory (the printing process
    // peaked at 410 MB PSS in bench/report-pdf-lambda.ts). Chromium decompresses into /tmp
    // (212 MB) on the first PDF of a container: twice that, so models and checkpoints still fit.
    memory: '2048 MB',
    storage: '1024 MB',
    vpc,
    concurrency: { reserved: reservedConcurrency },
    environment: {
      BANKBENCH_QUEUE: 'batch',
      BANKBENCH_STAGE: $app.stage,
      BANKBENCH_ARTIFACTS: bucket.name.apply(artifactsUri),
      DATABASE_URL: databaseUrl,
      // Without keys the function refuses to start (packages/api/src/admin-keys.ts): never an open API.
      BANKBENCH_ADMIN_API_KEYS: adminApiKeys.value,
      // The API connects as the database owner: it creates the inference function's read-only role (packages/api/src/lambda.ts `openApiPlatform`).
      BANKBENCH_PROVISION_CLASSIFY_ROLE: '1',
      NODE_OPTIONS: '--enable-source-maps',
    },
    permissions: $util.all([region, accountId, bucket.arn]).apply(([regionName, account, bucketArn]) => functionPermissions([
      ...apiArtifactsStatements(bucketArn),
      ...batchSubmitStatements({ stage: $app.stage, region: regionName, accountId: account }),
    ])),
    logging: { retention: settings.logRetention.sst },
  })
  return { api }
}
