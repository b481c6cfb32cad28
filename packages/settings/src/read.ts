import { InvalidSettingValue } from './parsers'
import { SETTINGS, type SettingName, type SettingSpec, type SettingValue } from './registry'

/** An environment: `process.env`, or the variables a caller passes instead (tests, child processes). */
export type Environment = Readonly<Record<string, string | undefined>>

/** A variable whose value its parser refused; the message names the variable (and its value, unless secret). */
export class SettingError extends Error {
  constructor(readonly setting: SettingName, readonly reason: string, value: string) {
    super(`${(SETTINGS[setting] as SettingSpec).secret ? setting : `${setting}=${value.length > 200 ? `${value.slice(0, 200)}…` : value}`}: ${reason}`)
    this.name = 'SettingError'
  }
}

/** The variable's text when it is set and not empty (empty counts as unset), else undefined. */
export function settingText(name: SettingName, env: Environment = process.env): string | undefined {
  const raw = env[name]
  return raw === undefined || raw === '' ? undefined : raw
}

/** Whether the variable is set (and not empty), whatever its default. */
export function isSet(name: SettingName, env: Environment = process.env): boolean {
  return settingText(name, env) !== undefined
}

/**
 * A setting's value: its parser's reading of the variable, or the setting's value when
 * unset. Throws `SettingError` naming the variable when the value is not valid.
 */
export function setting<N extends SettingName>(name: N, env: Environment = process.env): SettingValue<N> {
  const raw = settingText(name, env)
  const spec = SETTINGS[name]
  if (raw === undefined) return spec.unset as SettingValue<N>
  try {
    return spec.parse(raw) as SettingValue<N>
  } catch (error) {
    if (error instanceof InvalidSettingValue) throw new SettingError(name, error.message, raw)
    throw error
  }
}

/** Several settings at once; every invalid one is reported, in one error. */
export function settings<const N extends SettingName>(names: readonly N[], env: Environment = process.env): { [K in N]: SettingValue<K> } {
  const values: Partial<Record<N, unknown>> = {}
  const errors: SettingError[] = []
  for (const name of names) {
    try {
      values[name] = setting(name, env)
    } catch (error) {
      if (!(error instanceof SettingError)) throw error
      errors.push(error)
    }
  }
  if (errors.length > 0) throw new SettingsError(errors)
  return values as { [K in N]: SettingValue<K> }
}

export class SettingsError extends Error {
  constructor(readonly errors: readonly SettingError[]) {
    super(`invalid configuration: ${errors.map((error) => error.message).join('; ')}`)
    this.name = 'SettingsError'
  }
}
