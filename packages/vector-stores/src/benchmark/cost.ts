/**
 * What an hour of the machine that runs a self-hosted store costs: AWS Fargate on-demand
 * in us-east-1 (the indexer's Batch compute environment), per vCPU-hour and GB-hour, as
 * published on aws.amazon.com/fargate/pricing (December 2026). A store's cost per
 * million queries is the machine's hourly price over the queries it answers in an hour
 * at the measured throughput; its monthly floor is the machine kept up for 730 hours.
 * The remote stores (Pinecone, Weaviate, Milvus) are priced as their managed services
 * instead, from the documented table (`armCost` in ./managed-prices).
 */
export const FARGATE_PRICE = { vcpuHour: 0.04048, gbHour: 0.004445, region: 'us-east-1' }

/** The machine a self-hosted store is priced on: the indexer's Batch job size (infra/job-definitions.ts: 2 vCPU, 8 GiB). */
export const SELF_HOSTED_MACHINE = { vcpus: 2, memoryGb: 8 }

export function machineHourlyUsd(machine = SELF_HOSTED_MACHINE): number {
  return machine.vcpus * FARGATE_PRICE.vcpuHour + machine.memoryGb * FARGATE_PRICE.gbHour
}

export interface StoreCost {
  /** USD per million queries at the measured throughput. */
  perMillionQueriesUsd: number
  /** USD per month to keep the store's machine running (730 h). */
  monthlyUsd: number
}

export function selfHostedCost(queriesPerSecond: number, machine = SELF_HOSTED_MACHINE): StoreCost {
  const hourly = machineHourlyUsd(machine)
  return { perMillionQueriesUsd: queriesPerSecond > 0 ? (hourly / (queriesPerSecond * 3600)) * 1e6 : Number.POSITIVE_INFINITY, monthlyUsd: hourly * 730 }
}
