import { DrizzleQueryError } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { describeForLog, errorMessageForLog, STORED_REASON_MAX_LENGTH, storedReason } from './describe-for-log'

describe('describeForLog', () => {
  it('keeps query parameters (customer text) out of the log of a failed query', () => {
    const error = new DrizzleQueryError('insert into "datasets" values ($1)', ['customer secret text'], new Error('connection lost'))
    const description = describeForLog(error)
    expect(description).toContain('insert into "datasets"')
    expect(description).toContain('connection lost')
    expect(description).not.toContain('customer secret text')
    expect(errorMessageForLog(error)).toBe('failed query: insert into "datasets" values ($1) (connection lost)')
  })

  it('keeps a Postgres error to its SQLSTATE and constraint, as Postgres quotes the offending value', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint: Key (text)=(jane@example.com)'), { severity: 'ERROR', code: '23505', constraint: 'examples_text_key' })
    expect(errorMessageForLog(error)).toBe('SQLSTATE 23505 (constraint examples_text_key)')
    expect(describeForLog(error)).not.toContain('jane@example.com')
  })

  it('redacts PII from any other message, its causes included, and keeps the stack frames', () => {
    const error = new TypeError('could not tokenize "card 4111 1111 1111 1111, mail jane.doe@example.com"', { cause: new Error('account 12345678 is frozen') })
    const description = describeForLog(error)
    expect(description.split('\n')[0]).toBe('TypeError: could not tokenize "card [CARD], mail [EMAIL]"')
    expect(description).toContain('caused by Error: account [ACCOUNT] is frozen')
    expect(description).toMatch(/\n\s+at /)
    expect(description).not.toMatch(/4111|jane\.doe|12345678/)
  })

  it('describes a thrown non-error by its type only, and stores it redacted', () => {
    expect(describeForLog('call +44 20 7946 0958')).toBe('non-error thrown (string)')
    expect(errorMessageForLog('call +44 20 7946 0958')).toBe('call [PHONE]')
  })
})

describe('storedReason', () => {
  it('redacts, replaces control characters but newlines, and bounds the length', () => {
    const stored = storedReason(`card 4111 1111 1111 1111\u001b[0m\u0000 failed\n${'y'.repeat(5000)}`)
    expect(stored.startsWith('card [CARD] [0m  failed\ny')).toBe(true)
    expect(stored).toHaveLength(STORED_REASON_MAX_LENGTH)
    expect(stored.endsWith('…')).toBe(true)
  })

  it('redacts before it cuts: a card number across the limit is not left half in clear', () => {
    const stored = storedReason(`${'z'.repeat(STORED_REASON_MAX_LENGTH - 10)} 4111 1111 1111 1111 and more`)
    expect(stored).not.toMatch(/4111|1111/)
  })

  it('keeps a short reason with codes as it is', () => {
    expect(storedReason('SQLSTATE 23505 (constraint datasets_content_hash_idx)')).toBe('SQLSTATE 23505 (constraint datasets_content_hash_idx)')
  })
})
