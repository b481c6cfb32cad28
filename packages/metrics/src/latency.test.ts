import { describe, expect, it } from 'vitest'
import { latencySummary } from './latency'

describe('latencySummary', () => {
  it('uses nearest-rank percentiles on 1..100 ms', () => {
    const samples = Array.from({ length: 100 }, (_, index) => 100 - index)
    expect(latencySummary(samples)).toEqual({ count: 100, meanMs: 50.5, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 })
  })

  it('reports an observed sample, never an interpolated one', () => {
    // Ranks: p50 = ceil(1.5) = 2nd smallest, p95 and p99 = ceil(2.85), ceil(2.97) = 3rd.
    expect(latencySummary([5, 1, 3])).toEqual({ count: 3, meanMs: 3, p50Ms: 3, p95Ms: 5, p99Ms: 5, maxMs: 5 })
  })

  it('summarises no samples as zeros', () => {
    expect(latencySummary([])).toEqual({ count: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 })
  })
})
