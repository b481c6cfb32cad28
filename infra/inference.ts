import { INFERENCE_ROUTES, LAMBDA_HANDLER, LAMBDA_RUNTIME, lambdaBundleDirectory } from './lambda-bundles'
import { artifactsUri } from './names'
import { artifactsReadStatements, functionPermissions } from './policies'
import type { StageSettings } from './stage'

export interface InferenceInputs {
  settings: StageSettings
  api: sst.aws.ApiGatewayV2
  vpc: sst.aws.Vpc
  bucket: sst.aws.Bucket
  /** The read-only classify role's DATABASE_URL (infra/database.ts `classifyUrl`), never the owner's. */
  databaseUrl: $util.Output<string>
}

/**
 * The classify endpoint (functions/inference/handler.ts) as its own function behind
 * the stage's API: a warm container keeps the deployed model loaded, and nothing
 * else (benchmarks, reports) competes for its memory or CPU. It reads the
 * deployment from the database, as the read-only classify role, and the model from
 * the artifacts, and writes nothing anywhere. Reserved concurrency caps its
 * containers (and database connections); API Gateway throttles its routes with the
 * rest of the stage (infra/api.ts).
 */
export function createInference({ settings, api, vpc, bucket, databaseUrl }: InferenceInputs) {
  const { memory, provisionedConcurrency, reservedConcurrency } = settings.inference
  const inference = new sst.aws.Function('Inference', {
    bundle: lambdaBundleDirectory('inference'),
    handler: LAMBDA_HANDLER,
    runtime: LAMBDA_RUNTIME,
    // A cold start reads the model from S3 and builds it before answering.
    timeout: '30 seconds',
    memory,
    vpc,
    environment: {
      BANKBENCH_STAGE: $app.stage,
      BANKBENCH_ARTIFACTS: bucket.name.apply(artifactsUri),
      DATABASE_URL: databaseUrl,
      NODE_OPTIONS: '--enable-source-maps',
    },
    permissions: bucket.arn.apply((arn) => functionPermissions(artifactsReadStatements(arn))),
    logging: { retention: settings.logRetention.sst },
    concurrency: { reserved: reservedConcurrency, ...(provisionedConcurrency > 0 ? { provisioned: provisionedConcurrency } : {}) },
    ...(provisionedConcurrency > 0 ? { versioning: true } : {}),
  })
  for (const route of INFERENCE_ROUTES) api.route(route, inference.arn)
  return { inference }
}
