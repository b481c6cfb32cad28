/**
 * IAM policy documents, built from names and ARNs as plain data so that tests can
 * read exactly what each role may do. The resource modules turn them into roles
 * (`JSON.stringify`) or SST function permissions (`functionPermissions`).
 */
import { BATCH_TAGS } from '@bankbench/core/batch-settings'
import { ARTIFACTS_PREFIX, JOB_CONTAINERS, stageResourceNames } from './names'

export interface PolicyStatement {
  Sid: string
  Effect: 'Allow'
  Action: string[]
  Resource: string[]
  Condition?: Record<string, Record<string, string[]>>
}

export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}

export const policyDocument = (statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements })

/**
 * Where in the artifact store a job writes: its runs' outputs, the checkpoints a retry
 * resumes from, and the backbone an `mlm-pretrain` run publishes (LOCAL_BACKBONE_PREFIX
 * in @bankbench/model-store, which replaces its files: it may delete there too).
 */
export const JOB_WRITE_PREFIXES = ['runs/', 'checkpoints/', 'models/local-backbone/'] as const
/** Where a job may delete: superseded checkpoints, and the backbone it is about to replace. */
export const JOB_DELETE_PREFIXES = ['checkpoints/', 'models/local-backbone/'] as const

/**
 * Where in the artifact store the API writes and deletes: datasets (`POST /v1/datasets`,
 * the built-in Banking77 it registers, and `DELETE /v1/datasets/{id}`, which erases a
 * dataset's files). Everything else it only reads.
 */
export const API_WRITE_PREFIXES = ['datasets/'] as const

/**
 * Reading the stage's artifacts and nothing else of the bucket: what the inference
 * function needs (datasets for calibration, base models, run outputs).
 */
export function artifactsReadStatements(bucketArn: string): PolicyStatement[] {
  return [
    {
      Sid: 'ListArtifacts',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [bucketArn],
      // Without ListBucket, a missing object answers 403 instead of 404 and `exists` cannot tell them apart.
      Condition: { StringLike: { 's3:prefix': [`${ARTIFACTS_PREFIX}/*`] } },
    },
    { Sid: 'ReadArtifacts', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${bucketArn}/${ARTIFACTS_PREFIX}/*`] },
  ]
}

/**
 * A job container's access to the bucket: it reads any artifact of the stage
 * (datasets, base models, other runs' outputs) and writes only run outputs and
 * checkpoints; it may delete checkpoints (superseded ones), nothing else. Nothing
 * outside the artifacts prefix is visible to it.
 */
export function jobArtifactsStatements(bucketArn: string): PolicyStatement[] {
  const artifacts = `${bucketArn}/${ARTIFACTS_PREFIX}/`
  return [
    ...artifactsReadStatements(bucketArn),
    {
      Sid: 'WriteRunOutputs',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: JOB_WRITE_PREFIXES.map((prefix) => `${artifacts}${prefix}*`),
    },
    { Sid: 'DeleteCheckpoints', Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: JOB_DELETE_PREFIXES.map((prefix) => `${artifacts}${prefix}*`) },
  ]
}

/**
 * The API function's access to the bucket, in place of SST's `link`, which grants
 * `s3:*` on the whole bucket: read every artifact (models to deploy, reports, runs'
 * outputs), write and delete datasets only, nothing outside the artifacts prefix.
 */
export function apiArtifactsStatements(bucketArn: string): PolicyStatement[] {
  const datasets = API_WRITE_PREFIXES.map((prefix) => `${bucketArn}/${ARTIFACTS_PREFIX}/${prefix}*`)
  return [
    ...artifactsReadStatements(bucketArn),
    { Sid: 'WriteDatasets', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: datasets },
    { Sid: 'DeleteDatasets', Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: datasets },
  ]
}

/**
 * The job execution role, which ECS uses before the job's code runs: pull the
 * stage's images, write to the jobs' log group, and resolve the secrets the job
 * definition names (DATABASE_URL).
 */
export function jobExecutionStatements(inputs: { repositoryArns: string[]; logGroupArn: string; secretArns: string[] }): PolicyStatement[] {
  return [
    // GetAuthorizationToken has no resource-level permissions.
    { Sid: 'RegistryLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
    // IAM rejects a statement without resources: a stage with no image yet has no pull statement.
    ...(inputs.repositoryArns.length > 0
      ? [{
          Sid: 'PullStageImages',
          Effect: 'Allow' as const,
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          Resource: inputs.repositoryArns,
        }]
      : []),
    { Sid: 'WriteJobLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${inputs.logGroupArn}:*`] },
    { Sid: 'ReadJobSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: inputs.secretArns },
  ]
}

export interface BatchScope {
  stage: string
  region: string
  accountId: string
}

/** ARNs of a stage's job queues and job definitions, from their names (any revision of a definition). */
export function batchArns({ stage, region, accountId }: BatchScope) {
  const names = stageResourceNames(stage)
  const arn = (resource: string) => `arn:aws:batch:${region}:${accountId}:${resource}`
  return {
    jobQueues: JOB_CONTAINERS.map((container) => arn(`job-queue/${names.jobQueue[container]}`)),
    // SubmitJob by name is authorised against the unversioned ARN; `:*` covers pinned revisions.
    jobDefinitions: JOB_CONTAINERS.flatMap((container) => {
      const definition = arn(`job-definition/${names.jobDefinition[container]}`)
      return [definition, `${definition}:*`]
    }),
    jobs: arn('job/*'),
  }
}

/**
 * The API's access to Batch (BatchJobQueue): submit to this stage's queues and
 * definitions only, tag what it submits, and stop only jobs tagged with this stage.
 */
export function batchSubmitStatements(scope: BatchScope): PolicyStatement[] {
  const arns = batchArns(scope)
  return [
    { Sid: 'SubmitToStageQueues', Effect: 'Allow', Action: ['batch:SubmitJob'], Resource: [...arns.jobQueues, ...arns.jobDefinitions] },
    // SubmitJob with `tags` also needs TagResource on the new job. Only bankbench's tag keys, only this
    // stage's value, and only on a job that has no stage tag yet (a new one) or this stage's: it cannot
    // re-tag another stage's job into this one (and then terminate it) or tag anything else.
    {
      Sid: 'TagSubmittedJobs',
      Effect: 'Allow',
      Action: ['batch:TagResource'],
      Resource: [arns.jobs],
      Condition: {
        StringEquals: { [`aws:RequestTag/${BATCH_TAGS.stage}`]: [scope.stage] },
        'ForAllValues:StringEquals': { 'aws:TagKeys': Object.values(BATCH_TAGS) },
        StringEqualsIfExists: { [`aws:ResourceTag/${BATCH_TAGS.stage}`]: [scope.stage] },
      },
    },
    {
      Sid: 'TerminateStageJobs',
      Effect: 'Allow',
      Action: ['batch:TerminateJob'],
      Resource: [arns.jobs],
      Condition: { StringEquals: { [`aws:ResourceTag/${BATCH_TAGS.stage}`]: [scope.stage] } },
    },
    ...batchDescribeStatements(),
  ]
}

/**
 * DescribeJobs (the sweep's reconciliation) and ListJobs (finding a submitted job by its
 * name before submitting it again: the outbox pass of the sweep and of the API's start)
 * have no resource-level permissions: `*` is the only resource they accept.
 */
export function batchDescribeStatements(): PolicyStatement[] {
  return [{ Sid: 'DescribeJobs', Effect: 'Allow', Action: ['batch:DescribeJobs', 'batch:ListJobs'], Resource: ['*'] }]
}

/** SST's `permissions` shape for a function (sst.aws.Function `permissions`). */
export interface FunctionPermission {
  actions: string[]
  resources: string[]
  conditions?: { test: string; variable: string; values: string[] }[]
}

export function functionPermissions(statements: PolicyStatement[]): FunctionPermission[] {
  return statements.map((statement) => ({
    actions: statement.Action,
    resources: statement.Resource,
    ...(statement.Condition
      ? {
          conditions: Object.entries(statement.Condition).flatMap(([test, variables]) =>
            Object.entries(variables).map(([variable, values]) => ({ test, variable, values }))),
        }
      : {}),
  }))
}

/** Trust policy that lets an AWS service (`ecs-tasks.amazonaws.com`, `ec2.amazonaws.com`) assume a role. */
export function assumeRolePolicy(service: string) {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  } as const
}
