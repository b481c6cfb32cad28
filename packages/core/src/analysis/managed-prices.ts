/**
 * What the managed vector stores charge, from their published pricing, and what that makes
 * a remote vector-bench arm cost (issue 13: "managed stores from a documented price table;
 * self-hosted from the machine price"). Read on 2026-12-05 from the stored copies of the
 * pages named per figure (the `search` tool's `pages`/`docs` corpora; the vendors' own
 * pricing pages, pinecone.io/pricing, weaviate.io/pricing and zilliz.com/pricing, are not
 * among the stored pages, so some rates come from third-party captures of them, which the
 * entry says). A figure that could not be found is null with the reason: never a guess.
 * containers/indexer/README.md ("Managed prices") has the same table.
 *
 * The table lives in @bankbench/core so the vector-store study (CLI table, report) can price
 * a remote arm that was skipped here at the set size the other arms ran; the vector-bench
 * job prices a remote arm that ran through @bankbench/vector-stores' `armCost`.
 */

export interface PriceFigure {
  /** The figure in its unit; null when the stored pages do not state it. */
  value: number | null
  unit: string
  /** Where the figure was read, and when the page was dated or captured. */
  source: string
  dated: string
  /** Why a figure is null, or a caveat on it (a third-party capture, a plan or region). */
  note?: string
}

const READ_ON = '2026-12-05'

export const MANAGED_PRICES = {
  pinecone: {
    product: 'Pinecone serverless, Standard plan, AWS us-east-1',
    readUnitsPerGbPerQuery: { value: 1, unit: 'read units per GB of namespace size, per query', source: 'https://docs.pinecone.io/guides/organizations/manage-cost/understanding-cost', dated: `undated; read ${READ_ON}`, note: 'top_k, include_metadata and include_values do not change the count' },
    minReadUnitsPerQuery: { value: 0.25, unit: 'read units per query (minimum)', source: 'https://docs.pinecone.io/guides/organizations/manage-cost/understanding-cost', dated: `undated; read ${READ_ON}` },
    recordBytes: { value: 4, unit: 'bytes per dense dimension, plus the record id and its metadata (namespace size = records x (id + metadata + 4 x dimension))', source: 'https://docs.pinecone.io/guides/optimize/dedicated-read-nodes/size-and-test.md', dated: `undated; read ${READ_ON}`, note: 'the understanding-cost page\'s worked rows agree: 768 dims + 500 B metadata = 3.57 KB, 500,000 records = 1.78 GB (decimal GB)' },
    usdPerMillionReadUnits: { value: 16, unit: 'USD per million read units', source: 'https://docs.flexprice.io/cookbooks/pricing-teardowns/pinecone-pricing', dated: 'captured from pinecone.io/pricing on 2026-11-04', note: 'third-party capture of the official page; usagepricing.com/blueprint/pinecone (checked against pinecone.io/pricing 2026-06-09) gives ~$16-18' },
    usdPerMillionWriteUnits: { value: 4, unit: 'USD per million write units', source: 'https://docs.flexprice.io/cookbooks/pricing-teardowns/pinecone-pricing', dated: 'captured from pinecone.io/pricing on 2026-11-04', note: 'third-party capture of the official page' },
    writeUnitsPerKb: { value: 1, unit: 'write units per KB upserted (minimum 5 per request)', source: 'https://usagepricing.com/blueprint/pinecone', dated: 'checked against pinecone.io/pricing 2026-06-09', note: 'third-party summary; Pinecone\'s own write-unit rule is not in the stored pages. Writes are a one-off build cost, not in the per-query or monthly figures' },
    usdPerGbMonth: { value: 0.33, unit: 'USD per GB-month stored', source: 'https://docs.flexprice.io/cookbooks/pricing-teardowns/pinecone-pricing', dated: 'captured from pinecone.io/pricing on 2026-11-04', note: 'third-party capture of the official page' },
    monthlyMinimumUsd: { value: 50, unit: 'USD per month, the Standard plan\'s minimum usage commitment (per organization, not per index)', source: 'https://docs.pinecone.io/guides/organizations/manage-cost/understanding-cost', dated: `undated; read ${READ_ON}` },
  },
  weaviate: {
    product: 'Weaviate Cloud serverless (Shared Cloud), Standard support plan',
    billing: { value: null, unit: 'objects x vector dimensions (vectorDimensionsSum), polled daily; queries are not billed', source: 'https://docs.weaviate.io/cloud/platform/billing', dated: `undated; read ${READ_ON}`, note: 'the rule, not a rate: usage is the stored dimensions (segments when compressed) times the plan\'s rate, never less than the plan\'s monthly minimum; the docs now say all paid plans are highly available by default' },
    usdPerMillionDimensionsMonth: { value: 0.095, unit: 'USD per million vector dimensions stored, per month', source: 'https://eonsr.com/weaviate-dimensions-pricing-explained/page/373', dated: '2025 (quoting the weaviate.io pricing page)', note: 'third-party quote of the pricing page; Professional $0.145, Business Critical $0.175. Not confirmed on weaviate.io in the stored pages, and the older docs (weaviate.io/developers/wcs/platform/billing) tripled the rate for HA: whether this rate already includes HA is not stated' },
    monthlyMinimumUsd: { value: 25, unit: 'USD per month, the Standard plan\'s minimum', source: 'https://eonsr.com/weaviate-dimensions-pricing-explained/page/373', dated: '2025 (quoting the weaviate.io pricing page)', note: 'third-party quote; Professional $135, Business Critical $450' },
  },
  milvus: {
    product: 'Zilliz Cloud (managed Milvus)',
    serverlessUsdPerMillionVcu: { value: 4, unit: 'USD per million vCUs (Serverless reads and writes)', source: 'https://docs.zilliz.com/docs/understand-cost', dated: `undated; read ${READ_ON}` },
    serverlessWriteVcuPerKb: { value: 0.25, unit: 'vCU per KB inserted (Serverless)', source: 'https://docs.zilliz.com/ja-JP/docs/serverless-cluster-cost', dated: `undated; read ${READ_ON}`, note: '1 million 128-dim vectors = 0.125 M vCU = $0.50' },
    serverlessReadVcuPerQuery: { value: null, unit: 'vCU per search', source: 'https://docs.zilliz.com/docs/understand-cost', dated: `undated; read ${READ_ON}`, note: 'not stated: "based on the size of data scanned when processing a request" and the result size, with no figure per query in the stored pages, so Serverless cannot be priced per query here' },
    serverlessUsdPerGbMonth: { value: null, unit: 'USD per GB-month stored (Serverless)', source: 'https://docs.zilliz.com/docs/understand-cost', dated: `undated; read ${READ_ON}`, note: 'not stated in the stored pages ("refer to the Pricing Plan")' },
    dedicatedUsdPerCuHour: { value: 0.248, unit: 'USD per CU-hour, Dedicated, performance-optimized CU, AWS us-east-1, Enterprise plan', source: 'https://docs.zilliz.com/docs/dedicated-cluster-cost', dated: `undated; read ${READ_ON}`, note: 'the docs\' worked example reading the pricing page; the Standard plan\'s rate is not in the stored pages' },
    dedicatedVectorsPerCu: { value: 1_500_000, unit: '768-dim vectors per performance-optimized CU', source: 'https://docs.zilliz.com/docs/cost-optimization', dated: `undated; read ${READ_ON}`, note: 'taken here as 1.5M x 768 = 1.152e9 float dimensions per CU, at least 1 CU' },
  },
} as const satisfies Record<string, Record<string, PriceFigure | string>>

export type ManagedStoreName = keyof typeof MANAGED_PRICES

/** A month as the self-hosted figure counts it (FARGATE_PRICE in @bankbench/vector-stores: 730 h). */
const HOURS_PER_MONTH = 730

/**
 * The query volume a managed monthly figure assumes when none is given: one million queries a
 * month. A self-hosted store's month is its machine for 730 h, whatever the volume; a
 * serverless store's depends on the volume, so the summary says which volume it used.
 */
export const MANAGED_QUERIES_PER_MONTH = 1_000_000

export interface ManagedCostInput {
  store: ManagedStoreName
  vectors: number
  dimension: number
  /** Queries a month for the monthly figure (default MANAGED_QUERIES_PER_MONTH). */
  queriesPerMonth?: number
  /** Average bytes of a record's id and metadata (Pinecone's namespace size); default 40. */
  metadataBytes?: number
  /** Measured queries per second: a Dedicated (provisioned) store's price per query is its hourly price over what it answers in an hour. */
  queriesPerSecond?: number
}

export interface ManagedCostEstimate {
  store: ManagedStoreName
  product: string
  /** USD per million queries; null where the table has no figure for it (the reason is in `formula`). */
  perMillionQueriesUsd: number | null
  /** USD per month at `queriesPerMonth`, the plan's monthly minimum applied. */
  monthlyUsd: number | null
  /** The usage before the minimum: storage, plus reads at `queriesPerMonth`. */
  usageMonthlyUsd: number | null
  queriesPerMonth: number
  /** The formula with this arm's numbers in it. */
  formula: string
}

const DEFAULT_METADATA_BYTES = 40

/**
 * What a managed store charges for an index of `vectors` x `dimension` floats, from MANAGED_PRICES.
 *
 * - Pinecone serverless: namespace GB = vectors x (4 x dimension + metadata bytes) / 1e9;
 *   read units per query = max(0.25, namespace GB); $/1M queries = RU per query x $16;
 *   month = max($50, namespace GB x $0.33 + queries/month x RU per query x $16 / 1e6).
 * - Weaviate Cloud serverless: queries are not billed ($0 per 1M queries);
 *   month = max($25, vectors x dimension / 1e6 x $0.095).
 * - Zilliz Cloud Dedicated: CUs = max(1, ceil(vectors x dimension / (1.5e6 x 768)));
 *   month = CUs x $0.248 x 730 h; $/1M queries = CUs x $0.248 / (measured qps x 3600) x 1e6
 *   (null without a measured throughput). Serverless is not priced: no read vCU per query is stated.
 */
export function managedStoreCost(input: ManagedCostInput): ManagedCostEstimate {
  const queriesPerMonth = input.queriesPerMonth ?? MANAGED_QUERIES_PER_MONTH
  const base = { store: input.store, product: MANAGED_PRICES[input.store].product, queriesPerMonth }
  switch (input.store) {
    case 'pinecone': {
      const p = MANAGED_PRICES.pinecone
      const metadata = input.metadataBytes ?? DEFAULT_METADATA_BYTES
      const namespaceGb = (input.vectors * (p.recordBytes.value * input.dimension + metadata)) / 1e9
      const readUnits = Math.max(p.minReadUnitsPerQuery.value, namespaceGb * p.readUnitsPerGbPerQuery.value)
      const perMillionQueriesUsd = readUnits * p.usdPerMillionReadUnits.value
      const usage = namespaceGb * p.usdPerGbMonth.value + (queriesPerMonth / 1e6) * perMillionQueriesUsd
      return {
        ...base, perMillionQueriesUsd, usageMonthlyUsd: usage, monthlyUsd: Math.max(p.monthlyMinimumUsd.value, usage),
        formula: `namespace ${fmt(namespaceGb)} GB = ${input.vectors} x (4 x ${input.dimension} + ${metadata}) B; `
          + `read units/query = max(0.25, ${fmt(namespaceGb)}) = ${fmt(readUnits)}; $/1M queries = ${fmt(readUnits)} x $${p.usdPerMillionReadUnits.value} = $${fmt(perMillionQueriesUsd)}; `
          + `month = max($${p.monthlyMinimumUsd.value} Standard minimum, ${fmt(namespaceGb)} GB x $${p.usdPerGbMonth.value} + ${queriesPerMonth / 1e6}M queries x $${fmt(perMillionQueriesUsd)}) = $${fmt(Math.max(p.monthlyMinimumUsd.value, usage))}`,
      }
    }
    case 'weaviate': {
      const w = MANAGED_PRICES.weaviate
      const millionDimensions = (input.vectors * input.dimension) / 1e6
      const usage = millionDimensions * w.usdPerMillionDimensionsMonth.value
      return {
        ...base, perMillionQueriesUsd: 0, usageMonthlyUsd: usage, monthlyUsd: Math.max(w.monthlyMinimumUsd.value, usage),
        formula: `queries are not billed: $0 per 1M queries; month = max($${w.monthlyMinimumUsd.value} Standard minimum, ${input.vectors} x ${input.dimension} / 1e6 = ${fmt(millionDimensions)}M dimensions x $${w.usdPerMillionDimensionsMonth.value}) = $${fmt(Math.max(w.monthlyMinimumUsd.value, usage))}`,
      }
    }
    case 'milvus': {
      const z = MANAGED_PRICES.milvus
      const dimensionsPerCu = z.dedicatedVectorsPerCu.value * 768
      const cus = Math.max(1, Math.ceil((input.vectors * input.dimension) / dimensionsPerCu))
      const hourly = cus * z.dedicatedUsdPerCuHour.value
      const qps = input.queriesPerSecond
      const perMillionQueriesUsd = qps !== undefined && qps > 0 ? (hourly / (qps * 3600)) * 1e6 : null
      const monthly = hourly * HOURS_PER_MONTH
      return {
        ...base, product: `${z.product} Dedicated, performance-optimized CU (Serverless not priced: ${z.serverlessReadVcuPerQuery.note})`,
        perMillionQueriesUsd, usageMonthlyUsd: monthly, monthlyUsd: monthly,
        formula: `CUs = max(1, ceil(${input.vectors} x ${input.dimension} / (1.5e6 x 768))) = ${cus}; month = ${cus} x $${z.dedicatedUsdPerCuHour.value} x ${HOURS_PER_MONTH} h = $${fmt(monthly)}; `
          + (perMillionQueriesUsd === null ? '$/1M queries needs a measured throughput (not run)' : `$/1M queries = $${fmt(hourly)}/h / (${fmt(qps!)} q/s x 3600) x 1e6 = $${fmt(perMillionQueriesUsd)}`),
      }
    }
  }
}

/** Whether a store is one of the managed (remote) stores MANAGED_PRICES prices. */
export function isManagedStore(store: string): store is ManagedStoreName {
  return Object.hasOwn(MANAGED_PRICES, store)
}

function fmt(value: number): string {
  return Number(value.toPrecision(4)).toString()
}
