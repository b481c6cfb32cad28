import { describe, expect, it } from 'vitest'
import { isManagedStore, MANAGED_PRICES, managedStoreCost } from './managed-prices'

describe('managedStoreCost: the documented price table on hand-computed cases', () => {
  it('Pinecone at 10,003 vectors x 256 dims: a 10.6 MB namespace is under the 0.25 RU minimum, so $4 per million queries', () => {
    // namespace = 10,003 x (4 x 256 + 40) B = 10,643,192 B = 0.010643 GB; max(0.25, 0.010643) = 0.25 RU; 0.25 x $16 = $4.00
    const cost = managedStoreCost({ store: 'pinecone', vectors: 10_003, dimension: 256, metadataBytes: 40 })
    expect(cost.perMillionQueriesUsd).toBeCloseTo(4, 10)
    // usage at 1M queries a month: 0.010643192 GB x $0.33 + 1 x $4 = $4.00351, under the Standard plan's $50 minimum
    expect(cost.usageMonthlyUsd).toBeCloseTo(0.010643192 * 0.33 + 4, 10)
    expect(cost.monthlyUsd).toBe(50)
    expect(cost.formula).toContain('read units/query = max(0.25, 0.01064) = 0.25')
    // 100M queries a month: past the minimum
    expect(managedStoreCost({ store: 'pinecone', vectors: 10_003, dimension: 256, metadataBytes: 40, queriesPerMonth: 100e6 }).monthlyUsd).toBeCloseTo(0.010643192 * 0.33 + 400, 10)
  })

  it('Pinecone reproduces the docs\' own row: 1,000,000 records x 1536 dims with 1,000 B metadata = 7.14 GB = 7.14 RU per query', () => {
    const cost = managedStoreCost({ store: 'pinecone', vectors: 1_000_000, dimension: 1536, metadataBytes: 1000 })
    expect(cost.perMillionQueriesUsd! / 16).toBeCloseTo(7.144, 10)
    expect(cost.perMillionQueriesUsd).toBeCloseTo(114.304, 10)
  })

  it('Weaviate bills stored dimensions, not queries: 10,003 x 256 = 2.56M dimensions x $0.095 = $0.24, so the $25 minimum', () => {
    const cost = managedStoreCost({ store: 'weaviate', vectors: 10_003, dimension: 256 })
    expect(cost.perMillionQueriesUsd).toBe(0)
    expect(cost.usageMonthlyUsd).toBeCloseTo(2.560768 * 0.095, 10)
    expect(cost.monthlyUsd).toBe(25)
    // 10M x 768 = 7,680M dimensions x $0.095 = $729.60 (the quoted page's own example)
    expect(managedStoreCost({ store: 'weaviate', vectors: 10_000_000, dimension: 768 }).monthlyUsd).toBeCloseTo(729.6, 8)
  })

  it('Zilliz Dedicated: one CU at $0.248 an hour, per query only from a measured throughput', () => {
    const notRun = managedStoreCost({ store: 'milvus', vectors: 10_003, dimension: 256 })
    expect(notRun.monthlyUsd).toBeCloseTo(0.248 * 730, 10)
    expect(notRun.perMillionQueriesUsd).toBeNull()
    expect(notRun.formula).toContain('needs a measured throughput')
    // 100 queries/s: $0.248 / 360,000 queries x 1e6 = $0.6889 per million
    expect(managedStoreCost({ store: 'milvus', vectors: 10_003, dimension: 256, queriesPerSecond: 100 }).perMillionQueriesUsd).toBeCloseTo((0.248 / 360_000) * 1e6, 10)
    // 2M x 768 dims needs two CUs of 1.5M x 768
    expect(managedStoreCost({ store: 'milvus', vectors: 2_000_000, dimension: 768 }).monthlyUsd).toBeCloseTo(2 * 0.248 * 730, 10)
  })

  it('says where every figure came from, and leaves the ones the pages do not state null with the reason', () => {
    for (const [store, table] of Object.entries(MANAGED_PRICES)) {
      expect(isManagedStore(store)).toBe(true)
      for (const figure of Object.values(table)) {
        if (typeof figure === 'string') continue
        expect(figure.source).toMatch(/^https:\/\//)
        expect(figure.dated).not.toBe('')
        if (figure.value === null) expect(figure.note).toBeTruthy()
      }
    }
    expect(MANAGED_PRICES.milvus.serverlessReadVcuPerQuery.value).toBeNull()
    expect(isManagedStore('faiss')).toBe(false)
  })
})
