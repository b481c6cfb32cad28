import { batchJobStateChangePattern } from '@bankbench/core/batch-settings'
import { LAMBDA_HANDLER, LAMBDA_RUNTIME, lambdaBundleDirectory } from './lambda-bundles'
import { artifactsUri } from './names'
import { batchSubmitStatements, functionPermissions } from './policies'
import type { StageSettings } from './stage'

export interface BatchEventsInputs {
  settings: StageSettings
  vpc: sst.aws.Vpc
  /** The containers' BANKBENCH_ARTIFACTS: the sweep submits the jobs a crash left unsubmitted, as the API does. */
  bucket: sst.aws.Bucket
  databaseUrl: $util.Output<string>
  jobQueueArns: $util.Output<string>[]
}

/**
 * How often the sweep asks Batch about jobs still active in the database, and submits
 * the ones committed but never submitted: the bound on a lost event's (or a crashed
 * submission's) delay.
 */
const SWEEP_SCHEDULE = 'rate(10 minutes)'

/**
 * Keeps job status true to Batch: an EventBridge rule sends every "Batch Job State
 * Change" of this stage's queues to functions/batch-events/handler.ts, and a
 * schedule runs functions/batch-events/sweep.ts, which submits the jobs left without a
 * Batch job id (the outbox) and catches any event that was lost.
 */
export function createBatchEvents({ settings, vpc, bucket, databaseUrl, jobQueueArns }: BatchEventsInputs) {
  const common = {
    handler: LAMBDA_HANDLER,
    runtime: LAMBDA_RUNTIME,
    vpc,
    environment: { DATABASE_URL: databaseUrl, NODE_OPTIONS: '--enable-source-maps' },
    logging: { retention: settings.logRetention.sst },
  } as const

  const onStateChange = new sst.aws.Function('BatchEvents', { ...common, bundle: lambdaBundleDirectory('batch-events'), timeout: '30 seconds' })
  const rule = new aws.cloudwatch.EventRule('BatchJobStateChange', {
    description: `AWS Batch job state changes of bankbench ${$app.stage}`,
    eventPattern: $util.all(jobQueueArns).apply((arns) => JSON.stringify(batchJobStateChangePattern(arns))),
  })
  new aws.lambda.Permission('BatchJobStateChangeInvoke', {
    action: 'lambda:InvokeFunction',
    function: onStateChange.name,
    principal: 'events.amazonaws.com',
    sourceArn: rule.arn,
  })
  new aws.cloudwatch.EventTarget('BatchJobStateChangeTarget', {
    rule: rule.name,
    arn: onStateChange.arn,
    // The handler throws on a database error so that the event is delivered again.
    retryPolicy: { maximumRetryAttempts: 20, maximumEventAgeInSeconds: 6 * 60 * 60 },
  })

  const region = aws.getRegionOutput().region
  const accountId = aws.getCallerIdentityOutput().accountId
  new sst.aws.Cron('BatchSweep', {
    schedule: SWEEP_SCHEDULE,
    function: {
      ...common,
      environment: { ...common.environment, BANKBENCH_STAGE: $app.stage, BANKBENCH_ARTIFACTS: bucket.name.apply(artifactsUri) },
      bundle: lambdaBundleDirectory('batch-sweep'),
      timeout: '2 minutes',
      // What the API may do with Batch: submit (and tag) to this stage's queues, terminate its jobs, describe and list.
      permissions: $util.all([region, accountId]).apply(([regionName, account]) =>
        functionPermissions(batchSubmitStatements({ stage: $app.stage, region: regionName, accountId: account }))),
    },
  })
  return { onStateChange }
}
