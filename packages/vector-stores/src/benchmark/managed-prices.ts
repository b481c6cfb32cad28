/**
 * The managed stores' documented price table (MANAGED_PRICES, `managedStoreCost`: the figures,
 * units, sources and dates live in @bankbench/core, packages/core/src/analysis/managed-prices.ts,
 * so the vector-store study can price a skipped remote arm too) and the choice a vector-bench
 * arm's cost makes: a remote store (Pinecone, Weaviate, Milvus) is priced as its managed
 * service from that table, a local one as self-hosted on the indexer's Fargate machine.
 */
import { isManagedStore, managedStoreCost, type ManagedCostEstimate } from '@bankbench/core'
import { machineHourlyUsd, selfHostedCost, type StoreCost } from './cost'

export { isManagedStore, MANAGED_PRICES, MANAGED_QUERIES_PER_MONTH, managedStoreCost, type ManagedCostEstimate, type ManagedCostInput, type ManagedStoreName, type PriceFigure } from '@bankbench/core'

export type CostPricing = 'managed (table)' | 'self-hosted (Fargate)'

export interface ArmCost extends StoreCost {
  pricing: CostPricing
  /** How the figures were reached, with the arm's numbers. */
  formula: string
  /** The managed estimate in full (queries a month assumed, usage before the plan's minimum). */
  managed?: ManagedCostEstimate
}

/**
 * An arm's cost: `managedStoreCost` for a remote store (its vectors, dimension, average id +
 * metadata bytes and, for a provisioned Zilliz Dedicated cluster, the measured throughput),
 * `selfHostedCost` at the measured throughput for the others.
 */
export function armCost(store: string, figures: { vectors: number; dimension: number; queriesPerSecond: number; metadataBytes?: number }): ArmCost {
  if (isManagedStore(store)) {
    const managed = managedStoreCost({ store, vectors: figures.vectors, dimension: figures.dimension, queriesPerSecond: figures.queriesPerSecond, ...(figures.metadataBytes === undefined ? {} : { metadataBytes: figures.metadataBytes }) })
    return {
      pricing: 'managed (table)', formula: managed.formula, managed,
      perMillionQueriesUsd: managed.perMillionQueriesUsd ?? Number.POSITIVE_INFINITY, monthlyUsd: managed.monthlyUsd ?? Number.POSITIVE_INFINITY,
    }
  }
  const cost = selfHostedCost(figures.queriesPerSecond)
  const hourly = machineHourlyUsd()
  return { ...cost, pricing: 'self-hosted (Fargate)', formula: `$${hourly.toFixed(4)}/h / (${figures.queriesPerSecond.toFixed(1)} q/s x 3600) x 1e6; month = $${hourly.toFixed(4)} x 730 h` }
}
