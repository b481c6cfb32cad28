import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { setting, type Environment } from '@bankbench/settings'
import type { RunFigures } from '../contracts'
import type { Pricing, RunCost } from './types'

/**
 * What compute and storage cost, in US dollars. The defaults are AWS's public
 * us-east-1 list prices (Linux on-demand) as of 2025; spot prices move by the hour
 * and zone, so the table assumes one typical discount for every instance
 * (`SPOT_FRACTION`) and says so. Override any part with a JSON file named by
 * `BANKBENCH_PRICES` (same shape, partial: instances are merged by name).
 */
const SPOT_FRACTION = 0.4

const instancePriceSchema = z.object({
  onDemandPerHour: z.number().nonnegative(),
  spotPerHour: z.number().nonnegative(),
  description: z.string(),
})

const priceTableSchema = z.object({
  region: z.string(),
  asOf: z.string(),
  instances: z.record(z.string(), instancePriceSchema),
  /** Lambda (x86) for serving: compute per GB-second, requests per million, and the memory size a classifier function is given. */
  lambda: z.object({ perGbSecond: z.number().nonnegative(), perMillionRequests: z.number().nonnegative(), memoryMb: z.number().int().min(128).max(10_240) }),
  /** S3 Standard. */
  s3: z.object({ perGbMonth: z.number().nonnegative(), perThousandPuts: z.number().nonnegative(), perThousandGets: z.number().nonnegative() }),
  assumptions: z.array(z.string()),
})

export type PriceTable = z.infer<typeof priceTableSchema>
export type InstancePrice = z.infer<typeof instancePriceSchema>

function instance(onDemandPerHour: number, description: string): InstancePrice {
  return { onDemandPerHour, spotPerHour: round(onDemandPerHour * SPOT_FRACTION, 4), description }
}

export const PRICE_TABLE: PriceTable = {
  region: 'us-east-1',
  asOf: '2025',
  instances: {
    'g5.xlarge': instance(1.006, '1x NVIDIA A10G 24 GiB, 4 vCPUs, 16 GiB'),
    'g5.2xlarge': instance(1.212, '1x NVIDIA A10G 24 GiB, 8 vCPUs, 32 GiB'),
    'g6.xlarge': instance(0.8048, '1x NVIDIA L4 24 GiB, 4 vCPUs, 16 GiB'),
    'g6.2xlarge': instance(0.9776, '1x NVIDIA L4 24 GiB, 8 vCPUs, 32 GiB'),
    'p3.2xlarge': instance(3.06, '1x NVIDIA V100 16 GiB, 8 vCPUs, 61 GiB'),
    // The embedded runner's 2-core machine, priced as the nearest EC2 instance.
    local: instance(0.085, '2-core machine without a GPU, priced as a c6i.large (2 vCPUs, 4 GiB)'),
  },
  lambda: { perGbSecond: 0.0000166667, perMillionRequests: 0.2, memoryMb: 2048 },
  s3: { perGbMonth: 0.023, perThousandPuts: 0.005, perThousandGets: 0.0004 },
  assumptions: [
    'Prices are AWS us-east-1 public list prices (Linux, on-demand) as of 2025, without free tier, savings plans or taxes.',
    `Spot is assumed at ${SPOT_FRACTION * 100}% of on-demand (a typical ${(1 - SPOT_FRACTION) * 100}% discount); real spot prices vary by hour and availability zone.`,
    'The local machine is priced as a c6i.large hour.',
  ],
}

/** The instance type a Batch GPU run is priced on when none is asked for: the compute environment's smallest type. */
export const DEFAULT_GPU_INSTANCE = 'g5.xlarge'

/** The default table with the overrides of the JSON file `BANKBENCH_PRICES` names, if any. */
export function loadPriceTable(env: Environment = process.env): PriceTable {
  const path = setting('BANKBENCH_PRICES', env)
  if (!path) return PRICE_TABLE
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new Error(`BANKBENCH_PRICES=${path} could not be read as JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const override = priceOverrideSchema.safeParse(raw)
  if (!override.success) {
    throw new Error(`BANKBENCH_PRICES=${path} is not a valid price table: ${override.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  }
  const { instances, lambda, s3, assumptions, ...rest } = override.data
  return {
    ...PRICE_TABLE,
    ...rest,
    instances: { ...PRICE_TABLE.instances, ...instances },
    lambda: { ...PRICE_TABLE.lambda, ...lambda },
    s3: { ...PRICE_TABLE.s3, ...s3 },
    assumptions: [...PRICE_TABLE.assumptions, ...(assumptions ?? []), `Prices overridden from ${path}.`],
  }
}

const priceOverrideSchema = z.object({
  region: z.string().optional(),
  asOf: z.string().optional(),
  instances: z.record(z.string(), instancePriceSchema).optional(),
  lambda: priceTableSchema.shape.lambda.partial().optional(),
  s3: priceTableSchema.shape.s3.partial().optional(),
  assumptions: z.array(z.string()).optional(),
}).strict()

/** What of a run the cost model reads: its measured durations and sizes. */
export interface MeasuredRun {
  summary: RunFigures | null
  startedAt: Date | null
  finishedAt: Date | null
}

export interface RunCostOptions {
  instanceType: string
  pricing: Pricing
}

/**
 * Prices one run from what was measured: the run's wall-clock time from claim to
 * completion (loading, training and evaluation) when both timestamps exist, else
 * its training seconds alone, on one instance of the given type; plus a month of
 * S3 storage for its adapter (or whole model). Null when nothing was measured.
 */
export function costOfRun(run: MeasuredRun, options: RunCostOptions, prices: PriceTable = PRICE_TABLE): RunCost | null {
  const price = prices.instances[options.instanceType]
  if (!price) {
    throw new Error(`no price for instance type '${options.instanceType}'; known: ${Object.keys(prices.instances).join(', ')} (add it with BANKBENCH_PRICES)`)
  }
  const assumptions: string[] = []
  let billedSeconds: number
  const trainSeconds = measured(run.summary?.trainSeconds)
  if (run.startedAt && run.finishedAt) {
    billedSeconds = Math.max(0, (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000)
    assumptions.push('Billed time is the run\'s measured wall-clock time from start to finish (loading, training, evaluation); instance start-up is not included.')
  } else if (trainSeconds !== null) {
    billedSeconds = trainSeconds
    assumptions.push('Only training seconds were measured for this run: evaluation and loading time are not billed.')
  } else {
    return null
  }
  const dollarsPerHour = options.pricing === 'spot' ? price.spotPerHour : price.onDemandPerHour
  const storedBytes = measured(run.summary?.adapterBytes) ?? measured(run.summary?.modelBytes) ?? 0
  assumptions.push(`One ${options.instanceType} (${price.description}) at $${dollarsPerHour}/h ${options.pricing}, billed per second.`)
  return {
    dollars: (billedSeconds / 3600) * dollarsPerHour,
    billedSeconds,
    instanceType: options.instanceType,
    pricing: options.pricing,
    dollarsPerHour,
    storageDollarsPerMonth: (storedBytes / 1024 ** 3) * prices.s3.perGbMonth,
    assumptions,
  }
}

/**
 * Serving one million queries on Lambda at the run's measured median latency per
 * query, on a function of the table's memory size. Null without a latency.
 */
export function servingCostPerMillionQueries(summary: RunFigures | null, prices: PriceTable = PRICE_TABLE): number | null {
  const latencyMs = measured(summary?.latencyP50Ms)
  if (latencyMs === null) return null
  const gbSecondsPerQuery = (prices.lambda.memoryMb / 1024) * (latencyMs / 1000)
  return 1_000_000 * gbSecondsPerQuery * prices.lambda.perGbSecond + prices.lambda.perMillionRequests
}

/** A summary's figure when it is a finite number, else null: not measured (summaries are JSON written by jobs). */
export function measured(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
