import { describe, expect, it } from 'vitest'
import { BATCH_TAGS, batchResourceNames } from '../packages/core/src/jobs/batch/batch-settings'
import { artifactsReadStatements, batchArns, batchSubmitStatements, functionPermissions, jobArtifactsStatements, jobExecutionStatements, type PolicyStatement } from './policies'

const BUCKET = 'arn:aws:s3:::bankbench-dev-artifactsbucket-abc123'
const SCOPE = { stage: 'dev', region: 'eu-west-1', accountId: '123456789012' }

/** IAM's wildcard matching (`*` any run of characters, `?` one), enough to ask what a statement list allows. */
function allows(statements: PolicyStatement[], action: string, resource: string, context: Record<string, string> = {}): boolean {
  const matches = (pattern: string, value: string) =>
    new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`).test(value)
  return statements.some((statement) =>
    statement.Action.some((pattern) => matches(pattern, action)) &&
    statement.Resource.some((pattern) => matches(pattern, resource)) &&
    Object.entries(statement.Condition ?? {}).every(([operator, variables]) =>
      Object.entries(variables).every(([key, values]) => {
        const value = context[key]
        if (value === undefined) return false
        return values.some((expected) => (operator === 'StringLike' ? matches(expected, value) : expected === value))
      })))
}

describe('inference artifacts policy', () => {
  const policy = artifactsReadStatements(BUCKET)

  it('reads the artifacts (models, datasets) and writes nothing', () => {
    expect(allows(policy, 's3:GetObject', `${BUCKET}/artifacts/runs/run_1/adapter/adapter_model.safetensors`)).toBe(true)
    expect(allows(policy, 's3:ListBucket', BUCKET, { 's3:prefix': 'artifacts/runs/' })).toBe(true)
    expect(allows(policy, 's3:GetObject', `${BUCKET}/other/secret.txt`)).toBe(false)
    for (const action of ['s3:PutObject', 's3:DeleteObject']) expect(allows(policy, action, `${BUCKET}/artifacts/runs/run_1/classifier.json`)).toBe(false)
  })
})

describe('job artifacts policy', () => {
  const policy = jobArtifactsStatements(BUCKET)

  it('reads any artifact of the stage and writes only run outputs and checkpoints', () => {
    expect(allows(policy, 's3:GetObject', `${BUCKET}/artifacts/datasets/sha256-1/train.jsonl`)).toBe(true)
    expect(allows(policy, 's3:PutObject', `${BUCKET}/artifacts/runs/run_1/adapter/adapter_model.safetensors`)).toBe(true)
    expect(allows(policy, 's3:PutObject', `${BUCKET}/artifacts/checkpoints/run_1/step-100.safetensors`)).toBe(true)
    expect(allows(policy, 's3:PutObject', `${BUCKET}/artifacts/datasets/sha256-1/train.jsonl`)).toBe(false)
    expect(allows(policy, 's3:DeleteObject', `${BUCKET}/artifacts/runs/run_1/adapter/adapter_model.safetensors`)).toBe(false)
    expect(allows(policy, 's3:DeleteObject', `${BUCKET}/artifacts/checkpoints/run_1/step-100.safetensors`)).toBe(true)
  })

  it('sees nothing outside the artifacts prefix', () => {
    expect(allows(policy, 's3:GetObject', `${BUCKET}/other/secret.txt`)).toBe(false)
    expect(allows(policy, 's3:ListBucket', BUCKET, { 's3:prefix': 'artifacts/runs/' })).toBe(true)
    expect(allows(policy, 's3:ListBucket', BUCKET, { 's3:prefix': 'other/' })).toBe(false)
    expect(allows(policy, 's3:ListBucket', BUCKET)).toBe(false)
  })

  it('grants no wildcard actions', () => {
    expect(policy.flatMap((statement) => statement.Action).filter((action) => action.includes('*'))).toEqual([])
  })
})

describe('job execution policy', () => {
  it('pulls only the stage images, logs only to the jobs log group and reads only the named secrets', () => {
    const repository = 'arn:aws:ecr:eu-west-1:123456789012:repository/bankbench-dev-trainer'
    const logGroup = 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/batch/bankbench-dev'
    const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bankbench/dev/database-url-AbCdEf'
    const policy = jobExecutionStatements({ repositoryArns: [repository], logGroupArn: logGroup, secretArns: [secret] })
    expect(allows(policy, 'ecr:BatchGetImage', repository)).toBe(true)
    expect(allows(policy, 'ecr:BatchGetImage', 'arn:aws:ecr:eu-west-1:123456789012:repository/someone-else')).toBe(false)
    expect(allows(policy, 'logs:PutLogEvents', `${logGroup}:log-stream:trainer/default/abc`)).toBe(true)
    expect(allows(policy, 'secretsmanager:GetSecretValue', secret)).toBe(true)
    expect(allows(policy, 'secretsmanager:GetSecretValue', secret.replace('database-url', 'other'))).toBe(false)
  })
})

describe('API Batch policy', () => {
  const policy = batchSubmitStatements(SCOPE)
  const names = batchResourceNames('dev')
  const arn = (resource: string) => `arn:aws:batch:eu-west-1:123456789012:${resource}`

  it('submits to the queues and job definitions BatchJobQueue names, by name or revision', () => {
    expect(batchArns(SCOPE).jobQueues).toEqual([arn(`job-queue/${names.jobQueue.trainer}`), arn(`job-queue/${names.jobQueue.indexer}`)])
    for (const container of ['trainer', 'indexer'] as const) {
      expect(allows(policy, 'batch:SubmitJob', arn(`job-queue/${names.jobQueue[container]}`))).toBe(true)
      expect(allows(policy, 'batch:SubmitJob', arn(`job-definition/${names.jobDefinition[container]}`))).toBe(true)
      expect(allows(policy, 'batch:SubmitJob', arn(`job-definition/${names.jobDefinition[container]}:7`))).toBe(true)
    }
    expect(allows(policy, 'batch:SubmitJob', arn('job-queue/bankbench-prod-gpu-training'))).toBe(false)
  })

  it('terminates only jobs tagged with its stage', () => {
    const job = arn('job/0f2b6ab8-1c6e-4c55-9a55-6f6b6a6f0e5c')
    expect(allows(policy, 'batch:TerminateJob', job, { [`aws:ResourceTag/${BATCH_TAGS.stage}`]: 'dev' })).toBe(true)
    expect(allows(policy, 'batch:TerminateJob', job, { [`aws:ResourceTag/${BATCH_TAGS.stage}`]: 'prod' })).toBe(false)
  })

  it('becomes SST function permissions with the same conditions', () => {
    const terminate = functionPermissions(policy).find((permission) => permission.actions.includes('batch:TerminateJob'))
    expect(terminate).toEqual({
      actions: ['batch:TerminateJob'],
      resources: [arn('job/*')],
      conditions: [{ test: 'StringEquals', variable: `aws:ResourceTag/${BATCH_TAGS.stage}`, values: ['dev'] }],
    })
  })
})
