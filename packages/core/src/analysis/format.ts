/** How figures read in generated sentences. */

export const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`

export const milliseconds = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`

export const seconds = (value: number) => `${value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} s`

export const times = (ratio: number) => `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}x`

export function bytes(value: number): string {
  if (value >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(2)} GiB`
  if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)} MiB`
  return `${(value / 1024).toFixed(1)} KiB`
}
