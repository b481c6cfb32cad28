import { JOB_ENV, type CONTAINER_FOR_KIND, type JobKind } from '../job-queue'

/**
 * The names AWS Batch resources carry, and the environment each side sets: the one
 * place that `infra/` (which creates the queues and job definitions) and
 * `BatchJobQueue` (which submits to them) both read, so they cannot drift apart.
 */

/** The container images, one Batch job definition each (see CONTAINER_FOR_KIND). */
export type JobContainer = (typeof CONTAINER_FOR_KIND)[JobKind]

/**
 * Which kind of compute a container's queue runs on: training needs GPUs; indexing,
 * vector benchmarks and selection are CPU work and must not hold a GPU instance.
 */
export const QUEUE_KIND_FOR_CONTAINER = { trainer: 'gpu-training', indexer: 'cpu' } as const satisfies Record<JobContainer, string>

export interface BatchResourceNames {
  /** Job queue per container: `bankbench-<stage>-gpu-training` (trainer), `bankbench-<stage>-cpu` (indexer). */
  jobQueue: Record<JobContainer, string>
  /** Job definition per container: `bankbench-<stage>-trainer`, `bankbench-<stage>-indexer`. */
  jobDefinition: Record<JobContainer, string>
}

/** SST stage names (`dev`, `prod`, `pr-42`, …); Batch names allow letters, digits, hyphens and underscores. */
const STAGE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
const resourceName = (stage: string, suffix: string) => `bankbench-${stage}-${suffix}`
/** Batch allows 128 characters in queue and job definition names; the GPU queue's name is the longest. */
const MAX_STAGE_LENGTH = 128 - resourceName('', QUEUE_KIND_FOR_CONTAINER.trainer).length

/** The Batch resource names of a stage. Pure: infra imports it at deploy time. */
export function batchResourceNames(stage: string): BatchResourceNames {
  if (!STAGE_PATTERN.test(stage) || stage.length > MAX_STAGE_LENGTH) {
    throw new Error(`stage '${stage}' cannot name AWS Batch resources: use at most ${MAX_STAGE_LENGTH} letters, digits, hyphens and underscores, starting with a letter or digit`)
  }
  return {
    jobQueue: { trainer: resourceName(stage, QUEUE_KIND_FOR_CONTAINER.trainer), indexer: resourceName(stage, QUEUE_KIND_FOR_CONTAINER.indexer) },
    jobDefinition: { trainer: resourceName(stage, 'trainer'), indexer: resourceName(stage, 'indexer') },
  }
}

/**
 * Where each variable of the container contract (JOB_ENV) comes from on AWS.
 * Container overrides are visible in plain text to anyone who may call
 * DescribeJobs, so secrets travel only through the job definition's `secrets`
 * (Secrets Manager), resolved by Batch when the container starts.
 */
/**
 * The LLM-API baseline's endpoint, as the trainer reads it (`LLM_ENDPOINT_ENV` in
 * @bankbench/baselines, which infra/job-definitions.test.ts keeps equal to this).
 */
export const LLM_BASELINE_ENV = {
  baseUrl: 'BANKBENCH_LLM_BASE_URL',
  apiKey: 'BANKBENCH_LLM_API_KEY',
  model: 'BANKBENCH_LLM_MODEL',
  /** The operator's opt-in to send customer text to that endpoint (off unless the stage sets it). */
  sendCustomerText: 'BANKBENCH_LLM_SEND_CUSTOMER_TEXT',
} as const

/** The Hugging Face token `hf://` base models in gated repositories (Llama 2, …) are downloaded with (engine's checkpoint-source). */
export const HF_TOKEN_ENV = 'HF_TOKEN'

/**
 * The remote vector stores' endpoints and keys (@bankbench/vector-stores' remoteStoreOptions reads them): given to the
 * indexer's job definition only, the keys as secrets. PINECONE_CONTROLLER_HOST and WEAVIATE_GRPC_URL (Pinecone Local, a
 * gRPC port other than Weaviate's usual) are for laptops and tests; on AWS the defaults apply.
 */
export const VECTOR_STORE_ENV = {
  pineconeApiKey: 'PINECONE_API_KEY',
  weaviateUrl: 'WEAVIATE_URL',
  weaviateApiKey: 'WEAVIATE_API_KEY',
  milvusUri: 'MILVUS_URI',
  milvusToken: 'MILVUS_TOKEN',
} as const

/**
 * What the job definition of a container that asks for a GPU sets besides the environment
 * below, with fixed values. TensorFlow (tfjs-node-gpu) otherwise reserves nearly the whole
 * device when it starts, so every method would show the same GPU memory: the allocator's
 * pool, not what the method needs. Growing the pool on demand makes the per-process GPU
 * memory a run records (and the GPU-memory criterion reads) a figure of the method.
 */
export const GPU_JOB_ENVIRONMENT = { TF_FORCE_GPU_ALLOW_GROWTH: 'true' } as const

export const BATCH_ENVIRONMENT = {
  /** Job definition `secrets`, valueFrom a Secrets Manager ARN each. */
  jobDefinitionSecrets: [JOB_ENV.databaseUrl, LLM_BASELINE_ENV.apiKey, HF_TOKEN_ENV],
  /** Job definition `environment`: the same for every job of a stage. */
  jobDefinitionEnvironment: [JOB_ENV.heartbeatSeconds, LLM_BASELINE_ENV.baseUrl, LLM_BASELINE_ENV.model, LLM_BASELINE_ENV.sendCustomerText],
  /** The indexer's job definition only (vector-bench runs of the remote stores): `secrets`, valueFrom a Secrets Manager ARN each. */
  indexerDefinitionSecrets: [VECTOR_STORE_ENV.pineconeApiKey, VECTOR_STORE_ENV.weaviateApiKey, VECTOR_STORE_ENV.milvusToken],
  /** The indexer's job definition only: `environment` (endpoints, not secret). */
  indexerDefinitionEnvironment: [VECTOR_STORE_ENV.weaviateUrl, VECTOR_STORE_ENV.milvusUri],
  /** Set per submission by BatchJobQueue in `containerOverrides.environment`: non-secret values only. */
  containerOverrides: [JOB_ENV.jobId, JOB_ENV.artifacts],
  /** Set by AWS Batch itself in each array child. */
  setByBatch: [JOB_ENV.arrayIndex],
  /** For S3-compatible test servers only; unset on AWS, where the SDK finds S3 by region. */
  unsetOnAws: [JOB_ENV.s3Endpoint],
} as const

/** Tags on every submitted job (and, propagated, its ECS tasks): cost per stage and per job in Cost Explorer. */
export const BATCH_TAGS = {
  stage: 'bankbench:stage',
  jobId: 'bankbench:job-id',
  kind: 'bankbench:kind',
} as const

/**
 * The EventBridge rule pattern that routes a stage's job state changes to
 * functions/batch-events, given the ARNs of its job queues (events name the queue by ARN).
 */
export function batchJobStateChangePattern(jobQueueArns: string[]) {
  return { source: ['aws.batch'], 'detail-type': ['Batch Job State Change'], detail: { jobQueue: jobQueueArns } }
}
