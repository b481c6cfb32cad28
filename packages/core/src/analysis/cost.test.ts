import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { costOfRun, loadPriceTable, PRICE_TABLE, servingCostPerMillionQueries } from './cost'

const hour = { startedAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T01:30:00Z') }

describe('costOfRun', () => {
  it('bills the measured wall-clock time at the on-demand price', () => {
    const cost = costOfRun({ summary: { trainSeconds: 3000, adapterBytes: 1024 ** 3 }, ...hour }, { instanceType: 'g5.xlarge', pricing: 'on-demand' })!
    expect(cost.billedSeconds).toBe(5400)
    expect(cost.dollars).toBeCloseTo(1.5 * 1.006, 10)
    // One GiB stored for a month.
    expect(cost.storageDollarsPerMonth).toBeCloseTo(0.023, 10)
    expect(cost.assumptions.join(' ')).toMatch(/wall-clock/)
  })

  it('prices spot at the stated fraction of on-demand', () => {
    const spot = costOfRun({ summary: {}, ...hour }, { instanceType: 'g6.xlarge', pricing: 'spot' })!
    expect(spot.dollarsPerHour).toBeCloseTo(0.8048 * 0.4, 4)
    expect(PRICE_TABLE.assumptions.join(' ')).toMatch(/Spot is assumed at 40% of on-demand/)
  })

  it('falls back to training seconds, and says so, when the run has no timestamps', () => {
    const cost = costOfRun({ summary: { trainSeconds: 1800 }, startedAt: null, finishedAt: null }, { instanceType: 'local', pricing: 'on-demand' })!
    expect(cost.dollars).toBeCloseTo(0.5 * 0.085, 10)
    expect(cost.assumptions.join(' ')).toMatch(/Only training seconds/)
  })

  it('has no cost when nothing was measured, and refuses an unknown instance type', () => {
    expect(costOfRun({ summary: null, startedAt: null, finishedAt: null }, { instanceType: 'local', pricing: 'spot' })).toBeNull()
    expect(() => costOfRun({ summary: {}, ...hour }, { instanceType: 'x9.huge', pricing: 'spot' })).toThrow(/no price for instance type 'x9.huge'; known: g5.xlarge/)
  })
})

describe('servingCostPerMillionQueries', () => {
  it('is Lambda compute at the median latency plus the request price', () => {
    // 2 GiB for 50 ms = 0.1 GB-second per query.
    expect(servingCostPerMillionQueries({ latencyP50Ms: 50 })).toBeCloseTo(1_000_000 * 0.1 * 0.0000166667 + 0.2, 6)
    expect(servingCostPerMillionQueries({})).toBeNull()
  })
})

describe('loadPriceTable', () => {
  it('merges the overrides of BANKBENCH_PRICES and records where they came from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'))
    try {
      const path = join(dir, 'prices.json')
      writeFileSync(path, JSON.stringify({ instances: { 'g5.xlarge': { onDemandPerHour: 2, spotPerHour: 0.5, description: 'negotiated' } }, s3: { perGbMonth: 0.01 } }))
      const table = loadPriceTable({ BANKBENCH_PRICES: path })
      expect(table.instances['g5.xlarge']!.onDemandPerHour).toBe(2)
      expect(table.instances['g6.xlarge']).toEqual(PRICE_TABLE.instances['g6.xlarge'])
      expect(table.s3).toEqual({ ...PRICE_TABLE.s3, perGbMonth: 0.01 })
      expect(table.assumptions.at(-1)).toBe(`Prices overridden from ${path}.`)

      writeFileSync(path, JSON.stringify({ instances: { 'g5.xlarge': { onDemandPerHour: -1 } } }))
      expect(() => loadPriceTable({ BANKBENCH_PRICES: path })).toThrow(/not a valid price table: instances.g5.xlarge/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is the default table without the variable', () => {
    expect(loadPriceTable({})).toBe(PRICE_TABLE)
  })
})
