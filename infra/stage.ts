/**
 * What differs between stages, decided in one place from the stage's name. Pure:
 * `sst.config.ts` and the infra modules read it at deploy time, the tests here.
 */

/** CloudWatch retention, as SST's `logging.retention` spells it, with its length in days for raw log groups. */
const LOG_RETENTION = {
  '2 weeks': 14,
  '3 months': 90,
} as const
export type LogRetention = keyof typeof LOG_RETENTION

export interface StageSettings {
  production: boolean
  /** What `sst remove` does with the database and the bucket: a production stage keeps them. */
  removal: 'retain' | 'remove'
  /** `sst remove` refuses to run on a protected stage. */
  protect: boolean
  /**
   * How private subnets reach the internet (ECR, Batch and Secrets Manager APIs,
   * `hf://` models): `ec2` is a t4g.nano NAT instance per availability zone (a few
   * dollars a month), `managed` a NAT Gateway per zone (about $33 a month each, and
   * no single instance to fail). S3 traffic bypasses both through a gateway endpoint.
   */
  nat: 'ec2' | 'managed'
  database: {
    /** RDS instance class (SST's `instance`, without the `db.` prefix). */
    instance: string
    storage: `${number} GB`
    multiAz: boolean
  }
  batch: {
    /** Ceiling of the GPU spot compute environment; an idle stage runs 0 vCPUs. */
    gpuSpotMaxVcpus: number
    /** Ceiling of the on-demand GPU environment that takes jobs when the spot one is full. */
    gpuOnDemandMaxVcpus: number
    /** Ceiling of the Fargate environment that runs indexing, vector benchmarks and selection. */
    cpuMaxVcpus: number
  }
  logRetention: { sst: LogRetention; days: number }
  artifacts: {
    /** Training checkpoints (`checkpoints/` in the artifact store) exist to resume a retried job; afterwards they are waste. */
    checkpointExpiryDays: number
    /** The bucket is versioned: an overwritten or deleted object's old version is kept this long. */
    noncurrentVersionExpiryDays: number
  }
  /** BANKBENCH_HEARTBEAT_SECONDS in every job container. */
  heartbeatSeconds: number
  /**
   * The HTTP API's front door. API Gateway throttles every route of the stage
   * (`$default` stage, default route settings) with a token bucket: `rateLimit`
   * requests per second on average, bursts of up to `burstLimit`; beyond that it
   * answers 429 without invoking a function. The API function's reserved concurrency
   * caps how many containers it runs at once (and so how many database connections
   * it opens: 5 per container), and guarantees them from the account's pool.
   */
  api: {
    throttling: { rateLimit: number; burstLimit: number }
    reservedConcurrency: number
  }
  inference: {
    /** Lambda gives CPU in proportion to memory: 1,769 MB is one full vCPU, what the latency figures assume. */
    memory: `${number} MB`
    /** Containers kept warm with the model loaded (billed while idle); 0 lets a stage cost nothing when unused. */
    provisionedConcurrency: number
    /** At most this many containers at once (each holds a model and up to 5 read-only database connections); at least `provisionedConcurrency`. */
    reservedConcurrency: number
  }
}

/** Stages that serve users: their data outlives `sst remove`, and they get larger limits. */
export const PRODUCTION_STAGES: readonly string[] = ['prod']

export function stageSettings(stage: string): StageSettings {
  const production = PRODUCTION_STAGES.includes(stage)
  const logRetention: LogRetention = production ? '3 months' : '2 weeks'
  return {
    production,
    removal: production ? 'retain' : 'remove',
    protect: production,
    nat: production ? 'managed' : 'ec2',
    database: production
      ? { instance: 't4g.medium', storage: '50 GB', multiAz: true }
      : { instance: 't4g.micro', storage: '20 GB', multiAz: false },
    // A g5.xlarge or g6.xlarge has 4 vCPUs: these allow 16 and 4 GPU jobs at once in prod, 2 and 1 elsewhere.
    batch: production
      ? { gpuSpotMaxVcpus: 64, gpuOnDemandMaxVcpus: 16, cpuMaxVcpus: 32 }
      : { gpuSpotMaxVcpus: 8, gpuOnDemandMaxVcpus: 4, cpuMaxVcpus: 8 },
    logRetention: { sst: logRetention, days: LOG_RETENTION[logRetention] },
    artifacts: production
      ? { checkpointExpiryDays: 30, noncurrentVersionExpiryDays: 30 }
      : { checkpointExpiryDays: 7, noncurrentVersionExpiryDays: 7 },
    heartbeatSeconds: 30,
    // Classify traffic is most of it: ~20 ms per message on one vCPU is ~50 requests per second per container.
    api: production
      ? { throttling: { rateLimit: 500, burstLimit: 1000 }, reservedConcurrency: 20 }
      : { throttling: { rateLimit: 50, burstLimit: 100 }, reservedConcurrency: 5 },
    inference: production
      ? { memory: '1769 MB', provisionedConcurrency: 1, reservedConcurrency: 50 }
      : { memory: '1769 MB', provisionedConcurrency: 0, reservedConcurrency: 5 },
  }
}
