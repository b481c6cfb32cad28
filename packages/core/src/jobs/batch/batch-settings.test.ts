import { describe, expect, it } from 'vitest'
import { JOB_ENV } from '../job-queue'
import { BATCH_ENVIRONMENT, GPU_JOB_ENVIRONMENT, HF_TOKEN_ENV, LLM_BASELINE_ENV, VECTOR_STORE_ENV, batchJobStateChangePattern, batchResourceNames } from './batch-settings'
import { batchJobStateChangeEvent } from './testing'

describe('batchResourceNames', () => {
  it('names a GPU queue for the trainer, a CPU queue for the indexer, and a job definition per container', () => {
    expect(batchResourceNames('dev')).toEqual({
      jobQueue: { trainer: 'bankbench-dev-gpu-training', indexer: 'bankbench-dev-cpu' },
      jobDefinition: { trainer: 'bankbench-dev-trainer', indexer: 'bankbench-dev-indexer' },
    })
  })

  it('refuses stages that cannot name Batch resources', () => {
    expect(() => batchResourceNames('my stage')).toThrow(/cannot name AWS Batch resources/)
    expect(() => batchResourceNames('-dev')).toThrow(/starting with a letter or digit/)
    expect(() => batchResourceNames('x'.repeat(106))).toThrow(/at most 105/)
    expect(batchResourceNames('x'.repeat(105)).jobQueue.trainer).toHaveLength(128)
  })
})

describe('BATCH_ENVIRONMENT', () => {
  it('gives every variable of the container contract and the LLM baseline exactly one source, and keeps secrets out of overrides', () => {
    const sources = Object.values(BATCH_ENVIRONMENT).flat()
    expect([...sources].sort()).toEqual([...Object.values(JOB_ENV), ...Object.values(LLM_BASELINE_ENV), HF_TOKEN_ENV, ...Object.values(VECTOR_STORE_ENV)].sort())
    expect(BATCH_ENVIRONMENT.jobDefinitionSecrets).toEqual([JOB_ENV.databaseUrl, LLM_BASELINE_ENV.apiKey, HF_TOKEN_ENV])
    expect(BATCH_ENVIRONMENT.indexerDefinitionSecrets).toEqual([VECTOR_STORE_ENV.pineconeApiKey, VECTOR_STORE_ENV.weaviateApiKey, VECTOR_STORE_ENV.milvusToken])
  })

  it('has GPU jobs grow TensorFlow\'s memory pool instead of reserving the device, a variable no other source sets', () => {
    expect(GPU_JOB_ENVIRONMENT).toEqual({ TF_FORCE_GPU_ALLOW_GROWTH: 'true' })
    expect(Object.values(BATCH_ENVIRONMENT).flat()).not.toContain('TF_FORCE_GPU_ALLOW_GROWTH')
  })
})

describe('batchJobStateChangePattern', () => {
  it('selects the Batch job state changes of the given queues', () => {
    const event = batchJobStateChangeEvent({ jobId: '4c7599ae-0a82-49aa-ba5a-4727fcce14a8', status: 'RUNNING' })
    const pattern = batchJobStateChangePattern([event.detail.jobQueue!])
    expect(pattern.source).toContain(event.source)
    expect(pattern['detail-type']).toContain(event['detail-type'])
    expect(pattern.detail.jobQueue).toEqual(['arn:aws:batch:eu-west-1:123456789012:job-queue/bankbench-dev-gpu-training'])
  })
})
