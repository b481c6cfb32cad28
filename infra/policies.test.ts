import { describe, expect, it } from 'vitest'
import { BATCH_TAGS, batchResourceNames } from '@bankbench/core/batch-settings'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { apiArtifactsStatements, artifactsReadStatements, batchArns, batchSubmitStatements, functionPermissions, jobArtifactsStatements, jobExecutionStatements, type PolicyStatement } from './policies'

const BUCKET = 'arn:aws:s3:::bankbench-dev-artifactsbucket-abc123'
const SCOPE = { stage: 'dev', region: 'eu-west-1', accountId: '123456789012' }

type Context = Record<string, string | string[]>

/**
 * IAM's evaluation of a list of Allow statements, enough to ask what it allows:
 * wildcard matching (`*` any run of characters, `?` one), StringEquals / StringLike,
 * their `IfExists` forms (true when the key is absent), and `ForAllValues:` over a
 * multi-valued key such as `aws:TagKeys` (every value must match one of the list).
 */
function allows(statements: PolicyStatement[], action: string, resource: string, context: Context = {}): boolean {
  const matches = (pattern: string, value: string) =>
    new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`).test(value)
  return statements.some((statement) =>
    statement.Action.some((pattern) => matches(pattern, action)) &&
    statement.Resource.some((pattern) => matches(pattern, resource)) &&
    Object.entries(statement.Condition ?? {}).every(([operator, variables]) =>
      Object.entries(variables).every(([key, expected]) => {
        const forAllValues = operator.startsWith('ForAllValues:')
        const ifExists = operator.endsWith('IfExists')
        const base = operator.replace(/^ForAllValues:/, '').replace(/IfExists$/, '')
        if (!['StringEquals', 'StringLike'].includes(base)) throw new Error(`this evaluator does not know ${operator}`)
        const compare = (value: string) => expected.some((pattern) => (base === 'StringLike' ? matches(pattern, value) : pattern === value))
        const value = context[key]
        if (value === undefined) return ifExists || forAllValues
        const values = Array.isArray(value) ? value : [value]
        return forAllValues ? values.every(compare) : values.length === 1 && compare(values[0]!)
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

  it('publishes and replaces the backbone an mlm-pretrain run leaves (containers/trainer/pretrain.ts)', () => {
    expect(allows(policy, 's3:PutObject', `${BUCKET}/artifacts/models/local-backbone/model.safetensors`)).toBe(true)
    expect(allows(policy, 's3:DeleteObject', `${BUCKET}/artifacts/models/local-backbone/config.json`)).toBe(true)
    expect(allows(policy, 's3:PutObject', `${BUCKET}/artifacts/models/other/model.safetensors`)).toBe(false)
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

describe('API artifacts policy (instead of SST\'s `link`, which grants s3:*)', () => {
  const policy = apiArtifactsStatements(BUCKET)

  it('reads every artifact, and writes and deletes datasets only', () => {
    for (const key of ['runs/run_1/adapter/adapter_model.safetensors', 'models/local-backbone/config.json', 'datasets/sha256-1/train.jsonl']) {
      expect(allows(policy, 's3:GetObject', `${BUCKET}/artifacts/${key}`)).toBe(true)
    }
    expect(allows(policy, 's3:ListBucket', BUCKET, { 's3:prefix': 'artifacts/datasets/sha256-1/' })).toBe(true)
    expect(allows(policy, 's3:PutObject', `${BUCKET}/artifacts/datasets/sha256-1/train.jsonl`)).toBe(true)
    expect(allows(policy, 's3:AbortMultipartUpload', `${BUCKET}/artifacts/datasets/sha256-1/train.jsonl`)).toBe(true)
    expect(allows(policy, 's3:DeleteObject', `${BUCKET}/artifacts/datasets/sha256-1/train.jsonl`)).toBe(true)
    for (const action of ['s3:PutObject', 's3:DeleteObject']) {
      expect(allows(policy, action, `${BUCKET}/artifacts/runs/run_1/adapter/adapter_model.safetensors`)).toBe(false)
      expect(allows(policy, action, `${BUCKET}/artifacts/models/local-backbone/config.json`)).toBe(false)
    }
  })

  it('touches nothing outside the artifacts prefix, and nothing of the bucket itself', () => {
    expect(allows(policy, 's3:GetObject', `${BUCKET}/other/secret.txt`)).toBe(false)
    expect(allows(policy, 's3:ListBucket', BUCKET, { 's3:prefix': 'other/' })).toBe(false)
    for (const action of ['s3:PutBucketPolicy', 's3:DeleteBucket', 's3:PutLifecycleConfiguration', 's3:DeleteObjectVersion', 's3:PutObjectAcl']) {
      expect([action, allows(policy, action, BUCKET) || allows(policy, action, `${BUCKET}/artifacts/datasets/x`)]).toEqual([action, false])
    }
  })
})

describe('every function and job policy', () => {
  const policies = {
    api: [...apiArtifactsStatements(BUCKET), ...batchSubmitStatements(SCOPE)],
    inference: artifactsReadStatements(BUCKET),
    job: jobArtifactsStatements(BUCKET),
  }

  it('names explicit actions: no `*` in any action (no s3:*, no batch:*)', () => {
    for (const [name, statements] of Object.entries(policies)) {
      expect([name, statements.flatMap((statement) => statement.Action).filter((action) => action.includes('*'))]).toEqual([name, []])
    }
  })

  it('is what infra gives the functions: no SST `link` (which grants s3:* on the bucket) in any infra module', () => {
    const infra = fileURLToPath(new URL('.', import.meta.url))
    const modules = [...readdirSync(infra).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')).map((file) => join(infra, file)), join(infra, '..', 'sst.config.ts')]
    for (const file of modules) expect([file, /\blink\s*:/.test(readFileSync(file, 'utf8'))]).toEqual([file, false])
    const api = readFileSync(join(infra, 'api.ts'), 'utf8')
    expect(api).toContain('apiArtifactsStatements(bucketArn)')
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

  it('describes jobs and lists them by name (the outbox finds a job submitted before its id was recorded)', () => {
    // Neither action has resource-level permissions.
    expect(allows(policy, 'batch:DescribeJobs', '*')).toBe(true)
    expect(allows(policy, 'batch:ListJobs', '*')).toBe(true)
  })

  it('terminates only jobs tagged with its stage', () => {
    const job = arn('job/0f2b6ab8-1c6e-4c55-9a55-6f6b6a6f0e5c')
    expect(allows(policy, 'batch:TerminateJob', job, { [`aws:ResourceTag/${BATCH_TAGS.stage}`]: 'dev' })).toBe(true)
    expect(allows(policy, 'batch:TerminateJob', job, { [`aws:ResourceTag/${BATCH_TAGS.stage}`]: 'prod' })).toBe(false)
  })

  it('tags only new jobs or its own stage\'s, only with bankbench\'s keys and its own stage', () => {
    const job = arn('job/0f2b6ab8-1c6e-4c55-9a55-6f6b6a6f0e5c')
    const tagKeys: string[] = Object.values(BATCH_TAGS)
    const request = (stage: string, keys = tagKeys) => ({ [`aws:RequestTag/${BATCH_TAGS.stage}`]: stage, 'aws:TagKeys': keys })
    // A job being submitted has no tags yet.
    expect(allows(policy, 'batch:TagResource', job, request('dev'))).toBe(true)
    expect(allows(policy, 'batch:TagResource', job, { ...request('dev'), [`aws:ResourceTag/${BATCH_TAGS.stage}`]: 'dev' })).toBe(true)
    // Not another stage's value, not another stage's job (re-tagged, it could then be terminated), not other keys, not without the stage tag.
    expect(allows(policy, 'batch:TagResource', job, request('prod'))).toBe(false)
    expect(allows(policy, 'batch:TagResource', job, { ...request('dev'), [`aws:ResourceTag/${BATCH_TAGS.stage}`]: 'prod' })).toBe(false)
    expect(allows(policy, 'batch:TagResource', job, request('dev', [...tagKeys, 'owner']))).toBe(false)
    expect(allows(policy, 'batch:TagResource', job, { 'aws:TagKeys': [BATCH_TAGS.kind] })).toBe(false)
    // Jobs only: not queues, definitions or compute environments.
    expect(allows(policy, 'batch:TagResource', arn(`job-queue/${names.jobQueue.trainer}`), request('dev'))).toBe(false)
    expect(allows(policy, 'batch:UntagResource', job, request('dev'))).toBe(false)
  })

  it('becomes SST function permissions with the same conditions', () => {
    const terminate = functionPermissions(policy).find((permission) => permission.actions.includes('batch:TerminateJob'))
    expect(terminate).toEqual({
      actions: ['batch:TerminateJob'],
      resources: [arn('job/*')],
      conditions: [{ test: 'StringEquals', variable: `aws:ResourceTag/${BATCH_TAGS.stage}`, values: ['dev'] }],
    })
    const tag = functionPermissions(policy).find((permission) => permission.actions.includes('batch:TagResource'))
    expect(tag).toEqual({
      actions: ['batch:TagResource'],
      resources: [arn('job/*')],
      conditions: [
        { test: 'StringEquals', variable: `aws:RequestTag/${BATCH_TAGS.stage}`, values: ['dev'] },
        { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: ['bankbench:stage', 'bankbench:job-id', 'bankbench:kind'] },
        { test: 'StringEqualsIfExists', variable: `aws:ResourceTag/${BATCH_TAGS.stage}`, values: ['dev'] },
      ],
    })
  })
})
