import { BATCH_TAGS } from '@bankbench/core/batch-settings'
import type { ContainerImage } from './images'
import { jobContainerProperties, PLATFORM_FOR_CONTAINER } from './job-definitions'
import { CONTAINER_RESOURCE_ID, JOB_CONTAINERS, stageResourceNames, type JobContainer } from './names'
import { assumeRolePolicy, jobArtifactsStatements, jobExecutionStatements, policyDocument } from './policies'
import type { StageSettings } from './stage'

export interface BatchInputs {
  settings: StageSettings
  vpc: sst.aws.Vpc
  bucket: sst.aws.Bucket
  databaseUrlSecretArn: $util.Output<string>
  llmApiKeySecretArn: $util.Output<string>
  /** The Hugging Face token (HF_TOKEN) for gated `hf://` base models. */
  hfTokenSecretArn: $util.Output<string>
  /** The remote vector stores' keys, for the indexer's job definition. */
  vectorStoreSecretArns: { PINECONE_API_KEY: $util.Output<string>; WEAVIATE_API_KEY: $util.Output<string>; MILVUS_TOKEN: $util.Output<string> }
  /** Their endpoints (not secret): plain indexer job definition environment. */
  vectorStores: { weaviateUrl: $util.Output<string>; milvusUri: $util.Output<string> }
  /** The LLM baseline's endpoint and model (not secret): plain job definition environment. */
  llmBaseline: { baseUrl: $util.Output<string>; model: $util.Output<string>; sendCustomerText: $util.Output<string> }
  /** A container without an image gets no job definition (see images.ts). */
  images: Partial<Record<JobContainer, ContainerImage>>
}

/**
 * AWS Batch, which SST has no component for: compute environments that scale to
 * zero, a GPU queue (spot first, on-demand when spot is at its limit) for the
 * trainer and a Fargate queue for the indexer, their job definitions, the roles
 * the jobs run with, and their log group. Queue and definition names are
 * `batchResourceNames` from @bankbench/core, where BatchJobQueue submits.
 */
export function createBatch({ settings, vpc, bucket, databaseUrlSecretArn, llmApiKeySecretArn, hfTokenSecretArn, vectorStoreSecretArns, vectorStores, llmBaseline, images }: BatchInputs) {
  const names = stageResourceNames($app.stage)
  const region = aws.getRegionOutput().region
  const network = { subnets: vpc.privateSubnets, securityGroupIds: vpc.securityGroups }

  const logGroup = new aws.cloudwatch.LogGroup('JobLogs', { name: names.jobLogGroup, retentionInDays: settings.logRetention.days })

  const jobRole = new aws.iam.Role('JobRole', { assumeRolePolicy: JSON.stringify(assumeRolePolicy('ecs-tasks.amazonaws.com')) })
  new aws.iam.RolePolicy('JobRoleArtifacts', {
    role: jobRole.id,
    policy: bucket.arn.apply((arn) => JSON.stringify(policyDocument(jobArtifactsStatements(arn)))),
  })
  const executionRole = new aws.iam.Role('JobExecutionRole', { assumeRolePolicy: JSON.stringify(assumeRolePolicy('ecs-tasks.amazonaws.com')) })
  const repositoryArns = Object.values(images).map((image) => image.repositoryArn)
  new aws.iam.RolePolicy('JobExecutionRoleStart', {
    role: executionRole.id,
    policy: $util.all([logGroup.arn, databaseUrlSecretArn, llmApiKeySecretArn, hfTokenSecretArn, $util.all(Object.values(vectorStoreSecretArns)), $util.all(repositoryArns)]).apply(
      ([logGroupArn, databaseSecret, llmSecret, hfSecret, vectorStoreSecrets, repositories]) =>
        JSON.stringify(policyDocument(jobExecutionStatements({ repositoryArns: repositories, logGroupArn, secretArns: [databaseSecret, llmSecret, hfSecret, ...vectorStoreSecrets] })))),
  })

  // The GPU instances' own role: what the ECS agent on them needs to join the cluster.
  const instanceRole = new aws.iam.Role('GpuInstanceRole', { assumeRolePolicy: JSON.stringify(assumeRolePolicy('ec2.amazonaws.com')) })
  new aws.iam.RolePolicyAttachment('GpuInstanceRoleEcs', {
    role: instanceRole.name,
    policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role',
  })
  const instanceProfile = new aws.iam.InstanceProfile('GpuInstanceProfile', { role: instanceRole.name })

  const gpuEnvironment = (id: string, type: 'SPOT' | 'EC2', maxVcpus: number) =>
    new aws.batch.ComputeEnvironment(id, {
      type: 'MANAGED',
      computeResources: {
        type,
        allocationStrategy: type === 'SPOT' ? 'SPOT_PRICE_CAPACITY_OPTIMIZED' : 'BEST_FIT_PROGRESSIVE',
        // 0: no instance runs while no job does, so an idle stage costs nothing here.
        minVcpus: 0,
        maxVcpus,
        instanceTypes: ['g5', 'g6'],
        instanceRole: instanceProfile.arn,
        // The ECS-optimised AMI with NVIDIA drivers, which Batch keeps up to date.
        ec2Configurations: [{ imageType: 'ECS_AL2023_NVIDIA' }],
        ...network,
        tags: { [BATCH_TAGS.stage]: $app.stage },
      },
    })
  const gpuSpot = gpuEnvironment('GpuSpotEnvironment', 'SPOT', settings.batch.gpuSpotMaxVcpus)
  const gpuOnDemand = gpuEnvironment('GpuOnDemandEnvironment', 'EC2', settings.batch.gpuOnDemandMaxVcpus)
  const cpu = new aws.batch.ComputeEnvironment('CpuEnvironment', {
    type: 'MANAGED',
    computeResources: { type: 'FARGATE', maxVcpus: settings.batch.cpuMaxVcpus, ...network },
  })

  // A queue's name is fixed (BatchJobQueue submits to it), so a replaced queue must go before its successor comes.
  const queueOptions = { deleteBeforeReplace: true }
  const queues = {
    trainer: new aws.batch.JobQueue('GpuTrainingQueue', {
      name: names.jobQueue.trainer,
      state: 'ENABLED',
      priority: 1,
      computeEnvironmentOrders: [
        { order: 1, computeEnvironment: gpuSpot.arn },
        { order: 2, computeEnvironment: gpuOnDemand.arn },
      ],
    }, queueOptions),
    indexer: new aws.batch.JobQueue('CpuQueue', {
      name: names.jobQueue.indexer,
      state: 'ENABLED',
      priority: 1,
      computeEnvironmentOrders: [{ order: 1, computeEnvironment: cpu.arn }],
    }, queueOptions),
  } satisfies Record<JobContainer, aws.batch.JobQueue>

  for (const container of JOB_CONTAINERS) {
    const image = images[container]
    if (!image) continue
    new aws.batch.JobDefinition(`${CONTAINER_RESOURCE_ID[container]}JobDefinition`, {
      name: names.jobDefinition[container],
      type: 'container',
      platformCapabilities: [PLATFORM_FOR_CONTAINER[container]],
      propagateTags: true,
      containerProperties: $util.all([
        image.ref, jobRole.arn, executionRole.arn, region, databaseUrlSecretArn, llmApiKeySecretArn, hfTokenSecretArn, llmBaseline.baseUrl, llmBaseline.model, llmBaseline.sendCustomerText,
        vectorStoreSecretArns.PINECONE_API_KEY, vectorStoreSecretArns.WEAVIATE_API_KEY, vectorStoreSecretArns.MILVUS_TOKEN, vectorStores.weaviateUrl, vectorStores.milvusUri,
      ]).apply(
        ([imageRef, jobRoleArn, executionRoleArn, regionName, databaseSecret, llmSecret, hfSecret, llmBaseUrl, llmModel, llmSendCustomerText, pineconeSecret, weaviateSecret, milvusSecret, weaviateUrl, milvusUri]) => JSON.stringify(jobContainerProperties(container, {
          image: imageRef,
          jobRoleArn,
          executionRoleArn,
          logGroup: names.jobLogGroup,
          region: regionName,
          environment: {
            BANKBENCH_HEARTBEAT_SECONDS: String(settings.heartbeatSeconds),
            BANKBENCH_LLM_BASE_URL: llmBaseUrl,
            BANKBENCH_LLM_MODEL: llmModel,
            // 'unset' (the default) sends nothing: the operator opts in per stage with `sst secret set LlmBaselineSendCustomerText 1`.
            BANKBENCH_LLM_SEND_CUSTOMER_TEXT: llmSendCustomerText,
            // The indexer's only (see jobContainerProperties); 'unset' skips the store's arms.
            WEAVIATE_URL: weaviateUrl,
            MILVUS_URI: milvusUri,
          },
          secretArns: {
            DATABASE_URL: databaseSecret, BANKBENCH_LLM_API_KEY: llmSecret, HF_TOKEN: hfSecret,
            PINECONE_API_KEY: pineconeSecret, WEAVIATE_API_KEY: weaviateSecret, MILVUS_TOKEN: milvusSecret,
          },
        }))),
    })
  }

  return { queues, jobQueueArns: JOB_CONTAINERS.map((container) => queues[container].arn) }
}
