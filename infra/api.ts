import { LAMBDA_HANDLER, LAMBDA_RUNTIME, lambdaBundleDirectory } from './lambda-bundles'
import { artifactsUri } from './names'
import { batchSubmitStatements, functionPermissions } from './policies'
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
 * The Hono app (functions/api/lambda.ts) behind an HTTP API. It runs in the VPC
 * to reach the database, submits jobs to this stage's Batch queues, and reads and
 * writes the whole artifacts bucket (it registers datasets).
 */
export function createApi({ settings, vpc, bucket, databaseUrl, adminApiKeys }: ApiInputs) {
  const region = aws.getRegionOutput().region
  const accountId = aws.getCallerIdentityOutput().accountId
  const api = new sst.aws.ApiGatewayV2('Api')
  api.route('$default', {
    bundle: lambdaBundleDirectory('api'),
    handler: LAMBDA_HANDLER,
    runtime: LAMBDA_RUNTIME,
    // Cold start: connect, migrate (a no-op once applied) and register Banking77.
    timeout: '30 seconds',
    memory: '1024 MB',
    vpc,
    link: [bucket],
    environment: {
      BANKBENCH_QUEUE: 'batch',
      BANKBENCH_STAGE: $app.stage,
      BANKBENCH_ARTIFACTS: bucket.name.apply(artifactsUri),
      DATABASE_URL: databaseUrl,
      BANKBENCH_ADMIN_API_KEYS: adminApiKeys.value,
      NODE_OPTIONS: '--enable-source-maps',
    },
    permissions: $util.all([region, accountId]).apply(([regionName, account]) =>
      functionPermissions(batchSubmitStatements({ stage: $app.stage, region: regionName, accountId: account }))),
    logging: { retention: settings.logRetention.sst },
  })
  return { api }
}
