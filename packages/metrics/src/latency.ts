export interface LatencySummary {
  count: number
  meanMs: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
}

/**
 * Summarises latency samples. Percentiles use the nearest-rank method: pXX is the
 * smallest sample with at least XX% of the samples at or below it, so every reported
 * figure is a latency that was actually observed (no interpolation between samples).
 */
export function latencySummary(samplesMs: number[]): LatencySummary {
  if (samplesMs.length === 0) return { count: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 }
  const sorted = Float64Array.from(samplesMs).sort()
  const total = sorted.reduce((sum, value) => sum + value, 0)
  return {
    count: sorted.length,
    meanMs: total / sorted.length,
    p50Ms: nearestRank(sorted, 50),
    p95Ms: nearestRank(sorted, 95),
    p99Ms: nearestRank(sorted, 99),
    maxMs: sorted[sorted.length - 1]!,
  }
}

function nearestRank(sorted: Float64Array, percentile: number): number {
  const rank = Math.ceil((percentile / 100) * sorted.length)
  return sorted[Math.max(rank, 1) - 1]!
}
