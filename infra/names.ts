/**
 * Physical names of the resources that code or people look up by name. Batch's
 * come from `@bankbench/core` (BatchJobQueue submits to them); the rest follow the
 * same `bankbench-<stage>-…` pattern. Imported by file, not through the package
 * index, so that evaluating the SST config does not load the database driver, the
 * AWS SDK and PGlite.
 */
import { batchResourceNames, type BatchResourceNames, type JobContainer } from '@bankbench/core/batch-settings'

export type { JobContainer }
export const JOB_CONTAINERS: readonly JobContainer[] = ['trainer', 'indexer']
/** How each container's resources are named inside the SST app (`TrainerImage`, `IndexerJobDefinition`, …). */
export const CONTAINER_RESOURCE_ID: Record<JobContainer, string> = { trainer: 'Trainer', indexer: 'Indexer' }

/** Artifacts live under this prefix of the stage's bucket; jobs may touch nothing else (see policies.ts). */
export const ARTIFACTS_PREFIX = 'artifacts'

export interface StageResourceNames extends BatchResourceNames {
  /** Where every Batch job's container logs go: one stream per attempt. */
  jobLogGroup: string
  /** ECR repository of each container image. */
  imageRepository: Record<JobContainer, string>
  /** Secrets Manager secret holding the DATABASE_URL that job containers receive. */
  databaseUrlSecret: string
  /** Secrets Manager secret holding the LLM baseline's API key (BANKBENCH_LLM_API_KEY in the trainer). */
  llmApiKeySecret: string
  /** Secrets Manager secret holding the Hugging Face token (HF_TOKEN in the job containers), for gated `hf://` base models. */
  hfTokenSecret: string
  /** Secrets Manager secrets holding the remote vector stores' keys (PINECONE_API_KEY, WEAVIATE_API_KEY, MILVUS_TOKEN in the indexer). */
  pineconeApiKeySecret: string
  weaviateApiKeySecret: string
  milvusTokenSecret: string
}

export function stageResourceNames(stage: string): StageResourceNames {
  // Validates the stage for every name below: Batch's rules are the strictest.
  const batch = batchResourceNames(stage)
  const name = (suffix: string) => `bankbench-${stage}-${suffix}`
  return {
    ...batch,
    jobLogGroup: `/aws/batch/bankbench-${stage}`,
    // ECR repository names must be lower case.
    imageRepository: { trainer: name('trainer').toLowerCase(), indexer: name('indexer').toLowerCase() },
    databaseUrlSecret: `bankbench/${stage}/database-url`,
    llmApiKeySecret: `bankbench/${stage}/llm-api-key`,
    hfTokenSecret: `bankbench/${stage}/hf-token`,
    pineconeApiKeySecret: `bankbench/${stage}/pinecone-api-key`,
    weaviateApiKeySecret: `bankbench/${stage}/weaviate-api-key`,
    milvusTokenSecret: `bankbench/${stage}/milvus-token`,
  }
}

/** BANKBENCH_ARTIFACTS for everything in a stage: the prefix of its bucket. */
export function artifactsUri(bucketName: string): string {
  return `s3://${bucketName}/${ARTIFACTS_PREFIX}`
}
