/**
 * The Batch job definitions' container properties, as data. The environment they
 * set is the container contract's (`BATCH_ENVIRONMENT` in @bankbench/core): the
 * types below demand a value for every variable the contract says the job
 * definition sets, so a variable added there fails to compile here until infra
 * provides it.
 */
import { BATCH_ENVIRONMENT, GPU_JOB_ENVIRONMENT } from '@bankbench/core/batch-settings'
import type { JobContainer } from './names'

type DefinitionVariable = (typeof BATCH_ENVIRONMENT.jobDefinitionEnvironment)[number] | (typeof BATCH_ENVIRONMENT.indexerDefinitionEnvironment)[number]
type SecretVariable = (typeof BATCH_ENVIRONMENT.jobDefinitionSecrets)[number] | (typeof BATCH_ENVIRONMENT.indexerDefinitionSecrets)[number]

export interface JobDefinitionInputs {
  image: string
  /** The role the job's code runs as (artifacts only, see policies.ts). */
  jobRoleArn: string
  /** The role ECS uses to pull the image, write logs and read the secrets. */
  executionRoleArn: string
  logGroup: string
  region: string
  /** Every job's, and the indexer's own (the remote vector stores' endpoints). */
  environment: Record<DefinitionVariable, string>
  /** Secrets Manager ARN of each secret variable's value: every job's, and the indexer's own (the remote vector stores' keys). */
  secretArns: Record<SecretVariable, string>
}

/**
 * What one job gets. The trainer runs on a g5/g6 `xlarge` (1 GPU, 4 vCPUs, 16 GiB,
 * of which ECS keeps some for itself); the indexer on Fargate.
 */
export const JOB_RESOURCES = {
  trainer: { vcpus: 4, memoryMiB: 15_000, gpus: 1 },
  indexer: { vcpus: 2, memoryMiB: 8_192, gpus: 0 },
} as const satisfies Record<JobContainer, { vcpus: number; memoryMiB: number; gpus: number }>

/** Where each container's jobs run: GPU instances (EC2) for training, Fargate for CPU work. */
export const PLATFORM_FOR_CONTAINER = {
  trainer: 'EC2',
  indexer: 'FARGATE',
} as const satisfies Record<JobContainer, 'EC2' | 'FARGATE'>

export function jobContainerProperties(container: JobContainer, inputs: JobDefinitionInputs) {
  const resources = JOB_RESOURCES[container]
  const platform = PLATFORM_FOR_CONTAINER[container]
  return {
    image: inputs.image,
    jobRoleArn: inputs.jobRoleArn,
    executionRoleArn: inputs.executionRoleArn,
    resourceRequirements: [
      { type: 'VCPU', value: String(resources.vcpus) },
      { type: 'MEMORY', value: String(resources.memoryMiB) },
      ...(resources.gpus > 0 ? [{ type: 'GPU', value: String(resources.gpus) }] : []),
    ],
    environment: [
      ...BATCH_ENVIRONMENT.jobDefinitionEnvironment.map((name) => ({ name, value: inputs.environment[name] })),
      // The indexer runs the embed, index, vector-bench and hybrid jobs (CONTAINER_FOR_KIND), whose arms may name Pinecone, Weaviate or Milvus: it alone gets their endpoints and keys.
      ...(container === 'indexer' ? BATCH_ENVIRONMENT.indexerDefinitionEnvironment.map((name) => ({ name, value: inputs.environment[name] })) : []),
      // A job with a GPU: TensorFlow grows its memory pool instead of reserving the device (see GPU_JOB_ENVIRONMENT).
      ...(resources.gpus > 0 ? Object.entries(GPU_JOB_ENVIRONMENT).map(([name, value]) => ({ name, value })) : []),
    ],
    secrets: [...BATCH_ENVIRONMENT.jobDefinitionSecrets, ...(container === 'indexer' ? BATCH_ENVIRONMENT.indexerDefinitionSecrets : [])]
      .map((name) => ({ name, valueFrom: inputs.secretArns[name] })),
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': inputs.logGroup, 'awslogs-region': inputs.region, 'awslogs-stream-prefix': container },
    },
    // An init process forwards SIGTERM (terminate, timeout, spot reclaim) to node, so the run records why it stopped.
    linuxParameters: { initProcessEnabled: true },
    ...(platform === 'FARGATE'
      ? {
          // Private subnets reach ECR and Secrets Manager through the NAT; no public address.
          networkConfiguration: { assignPublicIp: 'DISABLED' },
          fargatePlatformConfiguration: { platformVersion: 'LATEST' },
          runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
        }
      : {}),
  }
}
