import { describe, expect, it } from 'vitest'
import { redactPii } from './redact-pii'

/**
 * Banking chatbot messages as customers type them, with and without PII. Each PII span
 * is written `{KIND:value}`: the message sent to `redactPii` has the value, the expected
 * result has `[KIND]` in its place, and everything else must come back unchanged
 * (amounts, dates, times, "card ending 1234", intent words).
 */
const CORPUS = [
  // cards: spaced, dotted, dashed, plain, Amex grouping, a mistyped (non-Luhn) 4-4-4-4
  'Hi, I lost my card yesterday, can you block it? The number is {CARD:4111 1111 1111 1111}',
  'my card {CARD:4111.1111.1111.1111} was declined at the supermarket',
  'Card no {CARD:5500-0000-0000-0004} has been charged twice for £1,250.00 on 12/05/2026',
  'Please cancel card {CARD:4012 8888 8888 1881}, I think it was stolen',
  'my amex is {CARD:3782 822463 10005} and it got declined',
  'I typed my card as {CARD:4111 1111 1111 1112} by mistake, is that a problem?',
  'can i get a virtual card? mine {CARD:5555 5555 5555 4444} expired',
  'Disposable card for online shopping {CARD:4000 0566 5566 5556} please',
  'my card {CARD:4111 1111 1111 1111} was charged 2 times',
  'I paid rent with {ACCOUNT:4111111111111112} and it bounced',
  // the last four digits are kept on purpose
  "The new card ending 1234 has not arrived yet, it's been 10 days",
  'Top up of £20 from card ending 4444 pending since 10:15 on 01.06.2026',
  // sort codes and account numbers
  'My sort code is {SORT_CODE:12-34-56} and account number is {ACCOUNT:12345678}',
  'sort code {SORT_CODE:20 00 00}, account {ACCOUNT:87654321}, please check the payment',
  'pay £45.99 to sort code {SORT_CODE:401276} acc no {ACCOUNT:3141592}',
  'account number {ACCOUNT:1234567} has a pending transfer since 09:45',
  'Can you check a/c {ACCOUNT:00123456} for a refund of £300?',
  'The account {ACCOUNT:654321} is not mine, why is it linked?',
  '{ACCOUNT:12345678} is my account, the direct debit of £29.99 failed',
  "the transfer to {SORT_CODE:12-34-56} {ACCOUNT:87654321} hasn't shown up",
  // IBANs: grouped, lower case, with a letter group
  'Send it to {IBAN:GB82 WEST 1234 5698 7654 32} please',
  "my iban is {IBAN:gb82 west 1234 5698 7654 32}, transfer hasn't arrived",
  'IBAN: {IBAN:DE89 3704 0044 0532 0130 00} from Germany, when will it land?',
  'Payment to {IBAN:FR14 2004 1010 0505 0001 3M02 606} pending for 3 days',
  // e-mail addresses
  'Email me at {EMAIL:jane.doe+bank@example.co.uk} with the statement',
  "my email address is {EMAIL:JOHN.SMITH@Example.COM}, I can't log in",
  // phone numbers: UK mobile and landline forms, international forms
  'Call me back on {PHONE:+44 7700 900123} after 5pm',
  'My mobile is {PHONE:07700900123}, the verification code never came',
  'You can reach me on {PHONE:(020) 7946 0958} during office hours',
  'Landline {PHONE:020 7946 0958} or mobile {PHONE:07700 900 123}',
  "I'm abroad, my number is {PHONE:+33 1 42 68 53 00}",
  "My US number {PHONE:+1 415-555-0132} isn't getting texts",
  'Call {PHONE:0044 20 7946 0958} about my pin being blocked',
  'My phone number changed from {PHONE:07911 123456} to {PHONE:+44 7911 654321}',
  'Card {CARD:4111111111111111} and phone {PHONE:07700 900123} and email {EMAIL:a@b.io}',
  // PINs and card verification codes, after their names only
  'I forgot my PIN, it used to be {PIN:4321}, how do I reset it?',
  'The cvv {CVV:123} on the back is scratched off',
  'My passcode {PASSCODE:583920} stopped working after the update, what do I do?',
  'The one-time code was {PASSCODE:482913} but the app said it expired',
  'my password is {PASSCODE:19283746}, why can I not log in?',
  // no PII at all
  'Why was I charged 1250 euros twice on 12/03?',
  'How do I top up my account with Apple Pay?',
  'What is the exchange rate for GBP to EUR today?',
  'My card was swallowed by the ATM at 14:30 on 3 May',
  'Is there a fee for withdrawing 200 dollars at an ATM abroad?',
  'The contactless payment of £7.50 was declined, why?',
  "What's the limit for a transfer of £10,000?",
  'Refund for order 4521 still not received after 14 days',
  "My salary of £2,345.67 didn't arrive on 28/02/2026",
  'I received a transfer from John, reference RENT MAY, can you confirm?',
  'why is my balance showing -£120.50 after the refund?',
  'my account was charged £250000 for a house deposit on 2026-05-12',
  'I want to dispute a charge of $1,999.99 from 11/11/2025 at 23:59',
]

const SPAN = /\{([A-Z_]+):([^}]+)\}/g

function parse(entry: string) {
  return {
    message: entry.replace(SPAN, (_, _kind: string, value: string) => value),
    expected: entry.replace(SPAN, (_, kind: string) => `[${kind}]`),
    spans: [...entry.matchAll(SPAN)].map((match) => match[2]!),
  }
}

describe('redactPii on a corpus of banking chatbot messages', () => {
  it('has at least 40 messages, with and without PII', () => {
    const parsed = CORPUS.map(parse)
    expect(parsed.length).toBeGreaterThanOrEqual(40)
    expect(parsed.filter((entry) => entry.spans.length > 0).length).toBeGreaterThanOrEqual(30)
    expect(parsed.filter((entry) => entry.spans.length === 0).length).toBeGreaterThanOrEqual(10)
  })

  it.each(CORPUS.map((entry) => [parse(entry).message, entry] as const))('%s', (message, entry) => {
    const { expected, spans } = parse(entry)
    const redacted = redactPii(message)
    // Every PII span is gone, and so are its digits' longest groups (no partial leak such as "1111 1111").
    for (const span of spans) {
      expect(redacted).not.toContain(span)
      for (const group of span.split(/[ .()+-]+/).filter((part) => part.length >= 5)) expect(redacted).not.toContain(group)
    }
    // The rest survives exactly: amounts, dates, times, "card ending 1234", intent words.
    expect(redacted).toBe(expected)
  })

  it('is idempotent: redacting twice changes nothing more', () => {
    for (const entry of CORPUS) {
      const once = redactPii(parse(entry).message)
      expect(redactPii(once)).toBe(once)
    }
  })
})
