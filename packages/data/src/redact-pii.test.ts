import { describe, expect, it } from 'vitest'
import { isValidIban, passesLuhn, redactPii } from './redact-pii'

describe('redactPii', () => {
  it('redacts card numbers that pass the Luhn check, with or without separators', () => {
    expect(redactPii('my card 4111 1111 1111 1111 was declined')).toBe('my card [CARD] was declined')
    expect(redactPii('card 5500-0000-0000-0004 blocked')).toBe('card [CARD] blocked')
    expect(redactPii('4012888888881881')).toBe('[CARD]')
  })

  it('does not call a digit run that fails Luhn a card, but still hides it as an account number', () => {
    expect(passesLuhn('4111111111111112')).toBe(false)
    expect(redactPii('reference 4111111111111112')).toBe('reference [ACCOUNT]')
  })

  it('leaves a UUID whose first or last segment is all digits alone, but not a long digit run beside it', () => {
    expect(redactPii('AWS Batch job 93436438-53d5-4080-a12f-d52c80c068d1:1 failed')).toBe('AWS Batch job 93436438-53d5-4080-a12f-d52c80c068d1:1 failed')
    expect(redactPii('request 3e2a1b4c-53d5-4080-a12f-123456789012 done')).toBe('request 3e2a1b4c-53d5-4080-a12f-123456789012 done')
    expect(redactPii('job 93436438 failed')).toBe('job [ACCOUNT] failed')
  })

  it('leaves a UUID whose segments pass the IBAN checksum alone (CI once redacted one as an IBAN)', () => {
    expect(isValidIban('be70-a325-45b3-2fa6')).toBe(true)
    const reason = 'AWS Batch job 2d5ee5cc-1042-4296-be70-a32545b32fa6 failed: Job attempt duration exceeded timeout'
    expect(redactPii(reason)).toBe(reason)
    expect(redactPii('job 2d5ee5cc-1042-4296-be70-a32545b32fa6 for card 4111 1111 1111 1111')).toBe('job 2d5ee5cc-1042-4296-be70-a32545b32fa6 for card [CARD]')
  })

  it('redacts IBANs whose checksum holds, grouped or not', () => {
    expect(isValidIban('GB82 WEST 1234 5698 7654 32')).toBe(true)
    expect(redactPii('send it to GB82 WEST 1234 5698 7654 32 please')).toBe('send it to [IBAN] please')
    expect(redactPii('DE89370400440532013000 is mine')).toBe('[IBAN] is mine')
  })

  it('redacts IBANs typed in lower or mixed case, in groups of four separated by spaces or dashes', () => {
    expect(redactPii('my iban is gb82 west 1234 5698 7654 32 thanks')).toBe('my iban is [IBAN] thanks')
    expect(redactPii('Gb82West12345698765432')).toBe('[IBAN]')
    expect(redactPii('DE89-3704-0044-0532-0130-00')).toBe('[IBAN]')
    expect(redactPii('iban fr14 2004 1010 0505 0001 3m02 606 please')).toBe('iban [IBAN] please')
  })

  it('ends an IBAN where its checksum holds, keeping a following word that looks like a group of four', () => {
    expect(redactPii('BE68 5390 0754 7034 from my savings')).toBe('[IBAN] from my savings')
    expect(redactPii('be68 5390 0754 7034 plus fees')).toBe('[IBAN] plus fees')
  })

  it('leaves an IBAN-shaped string with a wrong checksum as an IBAN, redacting only its long digit run', () => {
    expect(isValidIban('GB83WEST12345698765432')).toBe(false)
    expect(redactPii('GB83 WEST 1234 5698 7654 32')).not.toContain('[IBAN]')
  })

  it('redacts account numbers, e-mail addresses and phone numbers', () => {
    expect(redactPii('account 12345678 is frozen')).toBe('account [ACCOUNT] is frozen')
    expect(redactPii('write to jane.doe+bank@example.co.uk')).toBe('write to [EMAIL]')
    expect(redactPii('call me on +44 20 7946 0958')).toBe('call me on [PHONE]')
    expect(redactPii('or 020 7946 0958 at home')).toBe('or [PHONE] at home')
  })

  it('keeps amounts, dates and short numbers', () => {
    for (const text of ['I was charged 1250 euros twice on 12/03 for order 4521', 'flight ab12 3456 7890 tomorrow', 'is my top up of gb20 pending']) {
      expect(redactPii(text)).toBe(text)
    }
  })

  it('takes linear time on long inputs, such as a job stderr without an @ (the e-mail rule was quadratic)', () => {
    const started = performance.now()
    for (const text of ['a.'.repeat(50_000), 'a'.repeat(50_000) + '@', '1 '.repeat(50_000), 'account '.repeat(10_000) + '1', '12-'.repeat(30_000)]) redactPii(text)
    expect(performance.now() - started).toBeLessThan(3_000)
  })
})
