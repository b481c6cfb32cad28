import type { IndexSpec } from './types'

const NAME = /^[a-z][a-z0-9_]{0,62}$/

/** Checks an index spec before any store sees it: a name every store accepts, a positive dimension. */
export function checkSpec(spec: IndexSpec): void {
  if (!NAME.test(spec.name)) throw new Error(`index name ${JSON.stringify(spec.name)}: use lower-case letters, digits and _ (starting with a letter, at most 63)`)
  if (!Number.isInteger(spec.dimension) || spec.dimension < 1) throw new Error(`index ${spec.name}: dimension must be a positive integer, got ${spec.dimension}`)
}

/**
 * An adapter's settings with its defaults filled in. A key the adapter does not know
 * is an error: `ef_construction` for `efConstruction` must not fall back to a default
 * and make a benchmark arm measure something other than what it says.
 */
export function readSettings<T extends Record<string, unknown>>(store: string, spec: IndexSpec, defaults: T): T {
  const given = spec.settings ?? {}
  const unknown = Object.keys(given).filter((key) => !(key in defaults))
  if (unknown.length > 0) throw new Error(`${store} index ${spec.name}: unknown setting(s) ${unknown.join(', ')} (known: ${Object.keys(defaults).join(', ')})`)
  for (const [key, value] of Object.entries(given)) {
    const expected = typeof defaults[key]
    if (typeof value !== expected) throw new Error(`${store} index ${spec.name}: setting ${key} must be a ${expected}, got ${JSON.stringify(value)}`)
  }
  return { ...defaults, ...given } as T
}

/** Checks a vector's length against the index. */
export function checkDimension(spec: IndexSpec, vector: Float32Array): void {
  if (vector.length !== spec.dimension) throw new Error(`index ${spec.name}: vector of dimension ${vector.length}, index has ${spec.dimension}`)
}

/** A batch with each id once, its last record kept (an upsert of the same id twice in one call is the later one). */
export function lastById<T extends { id: string }>(records: readonly T[]): T[] {
  const latest = new Map<string, T>()
  for (const record of records) latest.set(record.id, record)
  return [...latest.values()]
}
