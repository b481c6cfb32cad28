/**
 * How figures read in the report and the CLI: one formatter per kind of quantity,
 * so that a number looks the same in every table. Unmeasured values (null) are `—`.
 */
import type { SeedStat } from '@bankbench/core'

export const MISSING = '—'

export function formatPercent(value: number | null | undefined, digits = 2): string {
  return value == null ? MISSING : `${(value * 100).toFixed(digits)}%`
}

export function formatBytes(value: number | null | undefined): string {
  if (value == null) return MISSING
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let scaled = value
  let unit = 0
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024
    unit += 1
  }
  return `${scaled.toFixed(scaled >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`
}

export function formatSeconds(value: number | null | undefined): string {
  if (value == null) return MISSING
  if (value < 1) return `${(value * 1000).toFixed(0)} ms`
  if (value < 120) return `${value.toFixed(1)} s`
  if (value < 3600) return `${(value / 60).toFixed(1)} min`
  return `${(value / 3600).toFixed(1)} h`
}

export function formatMilliseconds(value: number | null | undefined): string {
  return value == null ? MISSING : `${value.toFixed(value < 10 ? 2 : 1)} ms`
}

/** Parameter counts as 1.2K / 3.4M / 110M. */
export function formatCount(value: number | null | undefined): string {
  if (value == null) return MISSING
  if (value < 1000) return String(value)
  const [divisor, suffix] = value < 1e6 ? [1e3, 'K'] : value < 1e9 ? [1e6, 'M'] : [1e9, 'B']
  const scaled = value / divisor
  return `${scaled.toFixed(scaled >= 100 ? 0 : 1)}${suffix}`
}

export function formatRatio(value: number | null | undefined): string {
  return value == null ? MISSING : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}×`
}

export function formatDollars(value: number | null | undefined): string {
  if (value == null) return MISSING
  return value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`
}

/** A mean over seeds with its standard deviation, `91.20% ± 0.35%` (the ± only with more than one seed). */
export function formatSeedStat(stat: SeedStat | null | undefined, format: (value: number) => string): string {
  if (!stat) return MISSING
  return stat.n > 1 ? `${format(stat.mean)} ± ${format(stat.std)}` : format(stat.mean)
}
