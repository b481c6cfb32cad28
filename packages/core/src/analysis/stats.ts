import type { SeedStat } from './types'

/** Mean and sample standard deviation (n - 1) of the measured values; null when none was measured. */
export function seedStat(values: readonly (number | null)[]): SeedStat | null {
  const measured = values.filter((value): value is number => value !== null)
  if (measured.length === 0) return null
  const mean = measured.reduce((sum, value) => sum + value, 0) / measured.length
  const variance = measured.length > 1
    ? measured.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (measured.length - 1)
    : 0
  return { mean, std: Math.sqrt(variance), n: measured.length }
}
