import { describe, expect, it } from 'vitest'
import { LLM_ENDPOINT_ENV } from '@bankbench/baselines'
import { BATCH_ENVIRONMENT, GPU_JOB_ENVIRONMENT, HF_TOKEN_ENV, LLM_BASELINE_ENV, QUEUE_KIND_FOR_CONTAINER, VECTOR_STORE_ENV } from '@bankbench/core/batch-settings'
import { CONTAINER_FOR_KIND, JOB_ENV } from '@bankbench/core/job-queue'
import { jobContainerProperties, PLATFORM_FOR_CONTAINER, type JobDefinitionInputs } from './job-definitions'
import { JOB_CONTAINERS } from './names'

const INPUTS: JobDefinitionInputs = {
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/bankbench-dev-trainer:dev@sha256:abc',
  jobRoleArn: 'arn:aws:iam::123456789012:role/job',
  executionRoleArn: 'arn:aws:iam::123456789012:role/execution',
  logGroup: '/aws/batch/bankbench-dev',
  region: 'eu-west-1',
  environment: {
    BANKBENCH_HEARTBEAT_SECONDS: '30', BANKBENCH_LLM_BASE_URL: 'https://llm.example.com/v1', BANKBENCH_LLM_MODEL: 'small', BANKBENCH_LLM_SEND_CUSTOMER_TEXT: 'unset',
    WEAVIATE_URL: 'https://abc.c0.europe-west3.gcp.weaviate.cloud', MILVUS_URI: 'unset',
  },
  secretArns: {
    DATABASE_URL: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bankbench/dev/database-url-AbCdEf',
    BANKBENCH_LLM_API_KEY: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bankbench/dev/llm-api-key-GhIjKl',
    HF_TOKEN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bankbench/dev/hf-token-MnOpQr',
    PINECONE_API_KEY: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bankbench/dev/pinecone-api-key-StUvWx',
    WEAVIATE_API_KEY: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bankbench/dev/weaviate-api-key-YzAbCd',
    MILVUS_TOKEN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bankbench/dev/milvus-token-EfGhIj',
  },
}

describe('job definitions', () => {
  it.each(JOB_CONTAINERS)('%s: sets exactly the variables the contract gives the job definition, secrets from Secrets Manager', (container) => {
    const properties = jobContainerProperties(container, INPUTS)
    const onGpu = QUEUE_KIND_FOR_CONTAINER[container] === 'gpu-training'
    const indexer = container === 'indexer'
    expect(properties.environment.map((variable) => variable.name)).toEqual([
      ...BATCH_ENVIRONMENT.jobDefinitionEnvironment, ...(indexer ? BATCH_ENVIRONMENT.indexerDefinitionEnvironment : []), ...(onGpu ? Object.keys(GPU_JOB_ENVIRONMENT) : []),
    ])
    expect(properties.secrets).toEqual([
      { name: JOB_ENV.databaseUrl, valueFrom: INPUTS.secretArns.DATABASE_URL },
      { name: LLM_BASELINE_ENV.apiKey, valueFrom: INPUTS.secretArns.BANKBENCH_LLM_API_KEY },
      { name: HF_TOKEN_ENV, valueFrom: INPUTS.secretArns.HF_TOKEN },
      ...(indexer ? BATCH_ENVIRONMENT.indexerDefinitionSecrets.map((name) => ({ name, valueFrom: INPUTS.secretArns[name] })) : []),
    ])
    const plain = properties.environment.map((variable) => variable.name) as string[]
    // Per-job values come from the submission, secrets never travel in plain text, and S3 is found by region.
    for (const name of [...BATCH_ENVIRONMENT.containerOverrides, ...BATCH_ENVIRONMENT.jobDefinitionSecrets, ...BATCH_ENVIRONMENT.indexerDefinitionSecrets, ...BATCH_ENVIRONMENT.setByBatch, ...BATCH_ENVIRONMENT.unsetOnAws]) {
      expect(plain).not.toContain(name)
    }
    expect(properties.logConfiguration.options).toEqual({ 'awslogs-group': INPUTS.logGroup, 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': container })
  })

  it.each(JOB_CONTAINERS)('%s: asks for a GPU exactly when its queue is the GPU queue', (container) => {
    const gpu = jobContainerProperties(container, INPUTS).resourceRequirements.find((requirement) => requirement.type === 'GPU')
    const onGpuQueue = QUEUE_KIND_FOR_CONTAINER[container] === 'gpu-training'
    expect(gpu !== undefined).toBe(onGpuQueue)
    expect(PLATFORM_FOR_CONTAINER[container]).toBe(onGpuQueue ? 'EC2' : 'FARGATE')
  })

  it('sets TF_FORCE_GPU_ALLOW_GROWTH=true in the GPU job definition only, and gives HF_TOKEN to every job only as a secret', () => {
    expect(jobContainerProperties('trainer', INPUTS).environment).toContainEqual({ name: 'TF_FORCE_GPU_ALLOW_GROWTH', value: 'true' })
    expect(jobContainerProperties('indexer', INPUTS).environment.map((variable) => variable.name)).not.toContain('TF_FORCE_GPU_ALLOW_GROWTH')
    for (const container of JOB_CONTAINERS) {
      const properties = jobContainerProperties(container, INPUTS)
      expect(properties.environment.map((variable) => variable.name)).not.toContain(HF_TOKEN_ENV)
      expect(properties.secrets).toContainEqual({ name: 'HF_TOKEN', valueFrom: INPUTS.secretArns.HF_TOKEN })
    }
  })

  it('gives the trainer the LLM baseline endpoint under the names the baseline reads, its key only as a secret', () => {
    expect(LLM_BASELINE_ENV).toEqual(LLM_ENDPOINT_ENV)
    const properties = jobContainerProperties('trainer', INPUTS)
    expect(properties.environment).toEqual(expect.arrayContaining([{ name: LLM_ENDPOINT_ENV.baseUrl, value: 'https://llm.example.com/v1' }, { name: LLM_ENDPOINT_ENV.model, value: 'small' }]))
    expect(properties.environment.map((variable) => variable.name)).not.toContain(LLM_ENDPOINT_ENV.apiKey)
  })

  it('gives the indexer alone the remote vector stores: their endpoints as environment, their keys only as secrets', () => {
    const indexer = jobContainerProperties('indexer', INPUTS)
    expect(indexer.environment).toEqual(expect.arrayContaining([
      { name: VECTOR_STORE_ENV.weaviateUrl, value: 'https://abc.c0.europe-west3.gcp.weaviate.cloud' }, { name: VECTOR_STORE_ENV.milvusUri, value: 'unset' },
    ]))
    expect(indexer.secrets).toEqual(expect.arrayContaining([
      { name: 'PINECONE_API_KEY', valueFrom: INPUTS.secretArns.PINECONE_API_KEY },
      { name: 'WEAVIATE_API_KEY', valueFrom: INPUTS.secretArns.WEAVIATE_API_KEY },
      { name: 'MILVUS_TOKEN', valueFrom: INPUTS.secretArns.MILVUS_TOKEN },
    ]))
    const trainer = jobContainerProperties('trainer', INPUTS)
    for (const name of Object.values(VECTOR_STORE_ENV)) {
      expect([...trainer.environment, ...trainer.secrets].map((variable) => variable.name)).not.toContain(name)
    }
  })

  it('runs every vector job on the indexer definition (Fargate, the remote stores\' settings): embed, index, vector-bench, hybrid', () => {
    for (const kind of ['embed', 'index', 'vector-bench', 'hybrid'] as const) {
      expect(CONTAINER_FOR_KIND[kind]).toBe('indexer')
      expect(PLATFORM_FOR_CONTAINER[CONTAINER_FOR_KIND[kind]]).toBe('FARGATE')
    }
  })

  it('gives Fargate jobs their network settings and no public address', () => {
    expect(jobContainerProperties('indexer', INPUTS)).toMatchObject({ networkConfiguration: { assignPublicIp: 'DISABLED' }, fargatePlatformConfiguration: { platformVersion: 'LATEST' } })
    expect(jobContainerProperties('trainer', INPUTS)).not.toHaveProperty('networkConfiguration')
  })
})
