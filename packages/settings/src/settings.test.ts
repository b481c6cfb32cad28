import { describe, expect, it } from 'vitest'
import { isSet, isSettingName, setting, SETTING_NAMES, SETTINGS, settings, SettingError, SettingsError, settingText, settingsTable, TABLE_BEGIN, TABLE_END, userSettings, withSettingsTable } from './index'

describe('setting', () => {
  it('reads a declared variable with its parser, and its default when unset or empty', () => {
    expect(setting('PORT', { PORT: '9000' })).toBe(9000)
    expect(setting('PORT', {})).toBe(8787)
    expect(setting('PORT', { PORT: '' })).toBe(8787)
    expect(setting('BANKBENCH_QUEUE', { BANKBENCH_QUEUE: 'batch' })).toBe('batch')
    expect(setting('BANKBENCH_BACKEND', {})).toBeUndefined()
    expect(setting('BANKBENCH_HEARTBEAT_SECONDS', { BANKBENCH_HEARTBEAT_SECONDS: '0.5' })).toBe(0.5)
    expect(setting('AWS_BATCH_JOB_ARRAY_INDEX', {})).toBe(0)
  })

  it('names the variable and its value when the value is not valid', () => {
    expect(() => setting('PORT', { PORT: '80a' })).toThrow(new SettingError('PORT', 'is not a whole number', '80a'))
    expect(() => setting('PORT', { PORT: '80a' })).toThrow('PORT=80a: is not a whole number')
    expect(() => setting('BANKBENCH_CONCURRENCY', { BANKBENCH_CONCURRENCY: '65' })).toThrow('BANKBENCH_CONCURRENCY=65: must be from 1 to 64')
    expect(() => setting('BANKBENCH_BACKEND', { BANKBENCH_BACKEND: 'webgpu' })).toThrow('BANKBENCH_BACKEND=webgpu: use tensorflow, wasm or cpu')
    expect(() => setting('DATABASE_URL', { DATABASE_URL: 'not a url' })).toThrow(/^DATABASE_URL: is not a URL$/)
    expect(() => setting('BANKBENCH_HEARTBEAT_SECONDS', { BANKBENCH_HEARTBEAT_SECONDS: '-1' })).toThrow(/is not a number greater than 0/)
  })

  it('never echoes a secret', () => {
    const secret = 'short-secret'
    expect(() => setting('BANKBENCH_ADMIN_API_KEYS', { BANKBENCH_ADMIN_API_KEYS: secret })).toThrow(/^BANKBENCH_ADMIN_API_KEYS: every operator key must be at least 16 characters/)
    try {
      setting('BANKBENCH_ADMIN_API_KEYS', { BANKBENCH_ADMIN_API_KEYS: secret })
    } catch (error) {
      expect((error as Error).message).not.toContain(secret)
    }
  })

  it('parses switches, lists and placeholders', () => {
    expect(setting('BANKBENCH_NATIVE_KERNELS', {})).toBe(true)
    expect(setting('BANKBENCH_NATIVE_KERNELS', { BANKBENCH_NATIVE_KERNELS: ' 0 ' })).toBe(false)
    expect(setting('BANKBENCH_NATIVE_KERNELS', { BANKBENCH_NATIVE_KERNELS: '1' })).toBe(true)
    expect(setting('BANKBENCH_LLM_SEND_CUSTOMER_TEXT', {})).toBe(false)
    expect(setting('BANKBENCH_LLM_SEND_CUSTOMER_TEXT', { BANKBENCH_LLM_SEND_CUSTOMER_TEXT: 'TRUE' })).toBe(true)
    expect(setting('BANKBENCH_LLM_SEND_CUSTOMER_TEXT', { BANKBENCH_LLM_SEND_CUSTOMER_TEXT: 'yes' })).toBe(false)
    expect(setting('BANKBENCH_LLM_MODEL', { BANKBENCH_LLM_MODEL: ' unset ' })).toBeUndefined()
    expect(setting('BANKBENCH_LLM_MODEL', { BANKBENCH_LLM_MODEL: ' small ' })).toBe('small')
    expect(setting('BANKBENCH_ADMIN_API_KEYS', {})).toEqual([])
    expect(setting('BANKBENCH_ADMIN_API_KEYS', { BANKBENCH_ADMIN_API_KEYS: ' 0123456789abcdef , fedcba9876543210' })).toEqual(['0123456789abcdef', 'fedcba9876543210'])
    for (const blank of [',', ' , ', '   ']) expect(() => setting('BANKBENCH_ADMIN_API_KEYS', { BANKBENCH_ADMIN_API_KEYS: blank })).toThrow(/names no key/)
  })

  it('reads process.env by default', () => {
    const previous = process.env.SCRIPTED_BEHAVIOUR
    process.env.SCRIPTED_BEHAVIOUR = 'crash'
    try {
      expect(setting('SCRIPTED_BEHAVIOUR')).toBe('crash')
      expect(settingText('SCRIPTED_BEHAVIOUR')).toBe('crash')
      expect(isSet('SCRIPTED_BEHAVIOUR')).toBe(true)
    } finally {
      if (previous === undefined) delete process.env.SCRIPTED_BEHAVIOUR
      else process.env.SCRIPTED_BEHAVIOUR = previous
    }
  })
})

describe('settings', () => {
  it('reads several at once and reports every invalid one together', () => {
    expect(settings(['PORT', 'BANKBENCH_STAGE'], { BANKBENCH_STAGE: 'prod' })).toEqual({ PORT: 8787, BANKBENCH_STAGE: 'prod' })
    const reading = () => settings(['PORT', 'BANKBENCH_QUEUE', 'BANKBENCH_STAGE'], { PORT: 'x', BANKBENCH_QUEUE: 'sqs' })
    expect(reading).toThrow(SettingsError)
    expect(reading).toThrow('invalid configuration: PORT=x: is not a whole number; BANKBENCH_QUEUE=sqs: use local or batch')
  })
})

describe('the registry', () => {
  it('declares each variable with its kind, readers, default and meaning', () => {
    for (const name of SETTING_NAMES) {
      const spec = SETTINGS[name]
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/)
      expect(isSettingName(name)).toBe(true)
      expect(spec.readBy.length, name).toBeGreaterThan(0)
      expect(spec.default.trim(), name).not.toBe('')
      expect(spec.meaning.trim(), name).not.toBe('')
    }
    expect(isSettingName('toString')).toBe(false)
    expect(isSettingName('BANKBENCH_NOPE')).toBe(false)
  })

  it('marks every credential secret', () => {
    const secrets = SETTING_NAMES.filter((name) => (SETTINGS[name] as { secret?: boolean }).secret)
    expect(secrets.sort()).toEqual(['BANKBENCH_ADMIN_API_KEYS', 'BANKBENCH_API_KEY', 'BANKBENCH_LLM_API_KEY', 'DATABASE_URL', 'HF_TOKEN', 'MILVUS_TOKEN', 'PINECONE_API_KEY', 'WEAVIATE_API_KEY'])
  })

  it('writes a markdown table of the user settings between the README markers', () => {
    const table = settingsTable()
    expect(table.split('\n')).toHaveLength(userSettings().length + 2)
    expect(table).toContain('| `PORT` | `8787` | api, cli | ')
    const readme = `# x\n\n${TABLE_BEGIN}\nold\n${TABLE_END}\n\nafter\n`
    expect(withSettingsTable(readme)).toBe(`# x\n\n${TABLE_BEGIN}\n${table}\n${TABLE_END}\n\nafter\n`)
    expect(withSettingsTable(withSettingsTable(readme))).toBe(withSettingsTable(readme))
    expect(() => withSettingsTable('# no markers\n')).toThrow(/no settings table markers/)
  })
})
