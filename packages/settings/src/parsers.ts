/**
 * How a variable's text becomes a value. A parser gets the variable's text only when
 * it is set and not empty (empty counts as unset everywhere); the value when unset is
 * the setting's `unset`. A parser throws `InvalidSettingValue` with what is wrong,
 * and `setting()` names the variable in the error it raises.
 */

export class InvalidSettingValue extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidSettingValue'
  }
}

export interface Parser<T, U> {
  readonly parse: (raw: string) => T
  /** The value when the variable is unset or empty. */
  readonly unset: U
}

/** `a, b or c` */
function alternatives(values: readonly string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`
}

/** Any text, as given. */
export function text(): Parser<string, undefined>
export function text(unset: string): Parser<string, string>
export function text(unset?: string): Parser<string, string | undefined> {
  return { parse: (raw) => raw, unset }
}

/** Text with surrounding blanks removed; `placeholder` (a secret's stand-in value) counts as unset. */
export function trimmed(placeholder?: string): Parser<string | undefined, undefined> {
  return {
    parse: (raw) => {
      const value = raw.trim()
      return value === '' || value === placeholder ? undefined : value
    },
    unset: undefined,
  }
}

/** An absolute URL (`new URL` accepts it). */
export function url(): Parser<string, undefined> {
  return {
    parse: (raw) => {
      if (!URL.canParse(raw)) throw new InvalidSettingValue('is not a URL')
      return raw
    },
    unset: undefined,
  }
}

/** One of a few words. */
export function oneOf<const V extends string>(values: readonly V[]): Parser<V, undefined>
export function oneOf<const V extends string>(values: readonly V[], unset: NoInfer<V>): Parser<V, V>
export function oneOf<const V extends string>(values: readonly V[], unset?: V): Parser<V, V | undefined> {
  return {
    parse: (raw) => {
      if (!(values as readonly string[]).includes(raw)) throw new InvalidSettingValue(`use ${alternatives(values)}`)
      return raw as V
    },
    unset,
  }
}

/** A whole number in [min, max]. */
export function integer(range: { min: number; max: number }): Parser<number, undefined>
export function integer(range: { min: number; max: number }, unset: number): Parser<number, number>
export function integer({ min, max }: { min: number; max: number }, unset?: number): Parser<number, number | undefined> {
  return {
    parse: (raw) => {
      const value = Number(raw.trim())
      if (!/^[+-]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) throw new InvalidSettingValue('is not a whole number')
      if (value < min || value > max) throw new InvalidSettingValue(`must be from ${min} to ${max}`)
      return value
    },
    unset,
  }
}

/** A number greater than 0 (fractions allowed). */
export function positiveNumber(unset: number): Parser<number, number> {
  return {
    parse: (raw) => {
      const value = Number(raw.trim())
      if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) throw new InvalidSettingValue('is not a number greater than 0')
      return value
    },
    unset,
  }
}

/** On when set to one of `on` (compared case-insensitively, blanks ignored), off otherwise and when unset. */
export function optIn(on: readonly string[]): Parser<boolean, false> {
  return { parse: (raw) => on.includes(raw.trim().toLowerCase()), unset: false }
}

/** On unless set to `off` (blanks ignored): a switch that is on by default. */
export function optOut(off: string): Parser<boolean, true> {
  return { parse: (raw) => raw.trim() !== off, unset: true }
}

/**
 * Comma-separated items, blanks around each ignored. A value that names no item
 * (`,`, spaces) is an error, never "no items": a blank secret must not count as none.
 */
export function list({ minLength, unsetMeans }: { minLength: number; unsetMeans: string }): Parser<string[], string[]> {
  return {
    parse: (raw) => {
      const items = raw.split(',').map((item) => item.trim()).filter(Boolean)
      if (items.length === 0) throw new InvalidSettingValue(`names no key (only commas or spaces); set one or more keys, or leave the variable unset for ${unsetMeans}`)
      if (items.some((item) => item.length < minLength)) throw new InvalidSettingValue(`every operator key must be at least ${minLength} characters (e.g. \`openssl rand -hex 24\`)`)
      return items
    },
    unset: [],
  }
}
