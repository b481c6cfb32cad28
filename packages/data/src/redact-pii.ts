/**
 * Customer messages carry card numbers, IBANs, sort codes, account numbers, e-mail
 * addresses and phone numbers. Anything about a message that is stored or logged goes
 * through `redactPii` first. Card numbers and IBANs are recognised by their checksums,
 * so a digit run that fails them is redacted by the looser rules after (card-shaped
 * groups, phone, sort code, account).
 *
 * What is kept on purpose (see redact-pii.test.ts for the corpus that pins it):
 * - amounts (`£1,250.00`, `250 euros`), dates (`12/05/2026`, `12.05.2026`), times (`10:30`);
 * - the last four digits of a card or account (`card ending 1234`): four digits identify
 *   nobody, they are what banks themselves print on statements (PCI DSS allows showing
 *   them), and they are what a support conversation needs;
 * - intent words (`lost`, `declined`, `top up`, `pin`, `refund`, …).
 * What is redacted although it may not be PII: a `dd-mm-yy` or `dd mm yy` date looks
 * exactly like a sort code and is redacted as one; six to ten digits right after (or just
 * before) the word account/acct/a/c are redacted as an account number even when they are
 * an amount written without a currency sign.
 * Not covered: names, postal addresses and postcodes (no reliable pattern).
 */

/** Each rule replaces what its pattern matches by what `redact` returns for it: a placeholder, or the match itself when a checksum says it is not one. */
const REDACTIONS: { pattern: RegExp; redact: (match: string) => string }[] = [
  // Starts only where a run of address characters starts: tried from every position, a long run without an @ costs quadratic time.
  { pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, redact: () => '[EMAIL]' },
  // Country code, check digits, then groups of four (separated by a space or a dash, or not) and a shorter tail,
  // in either case: customers type IBANs in lower case too.
  { pattern: /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b/gi, redact: redactIbanPrefix },
  // 13 to 19 digits, optionally separated by single spaces, dots or dashes; the card is the part that passes Luhn.
  { pattern: /\b\d(?:[ .-]?\d){12,18}\b/g, redact: redactCardsIn },
  // Shaped like a card (4-4-4-4, or Amex's 4-6-5) but failing Luhn: a mistyped card number is still one.
  { pattern: /\b\d{4}([ .-])\d{4}\1\d{4}\1\d{4}\b|\b\d{4}([ -])\d{6}\2\d{5}\b/g, redact: () => '[CARD]' },
  // Card verification codes and PINs, only after their names: three or four digits alone are not PII.
  { pattern: /(?<=\b(?:cvv2?|cvc2?|csc|security code)\b[^\d\n]{0,25})\b\d{3,4}\b/gi, redact: () => '[CVV]' },
  { pattern: /(?<=\bpin\b[^\d\n]{0,25})\b\d{4,6}\b/gi, redact: () => '[PIN]' },
  // Passcodes, passwords and one-time codes, only after their names (an app passcode is six digits; a one-time code four to eight).
  { pattern: /(?<=\b(?:pass ?codes?|passwords?|otp|one[- ]time (?:pass ?)?codes?|verification codes?)\b[^\d\n]{0,25})\b\d{4,8}\b/gi, redact: () => '[PASSCODE]' },
  // International: +44 7700 900123, +44 (0)20 7946 0958, 0044 20 7946 0958, +33 1 42 68 53 00.
  // E.164 allows at most 15 digits; fewer than 8 after the prefix is no phone number ("a/c 00123456" is an account).
  { pattern: /(?:\+|\b00)\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{1,4}(?:[ -]?\d{2,4}){1,4}\b/g, redact: (match) => (/^\d{8,15}$/.test(digitsOf(match.replace(/^00/, ''))) ? '[PHONE]' : match) },
  // National numbers in pairs (01 42 68 53 00), before the sort codes they would otherwise look like.
  { pattern: /\b0\d(?:[ .-]\d{2}){4}\b/g, redact: () => '[PHONE]' },
  // UK sort codes: 12-34-56 or 12 34 56 (the same separator twice, not within a longer run of pairs), or six digits after "sort code".
  { pattern: /(?<!\b\d{2}[ -])\b\d{2}([ -])\d{2}\1\d{2}\b(?!\1\d{2}\b)/g, redact: () => '[SORT_CODE]' },
  { pattern: /(?<=\bsort[ -]?code\b[^\d\n]{0,20})\b\d{6}\b/gi, redact: () => '[SORT_CODE]' },
  // Short account numbers (6 to 10 digits) near account/acct/acc/a/c, either side; not an amount (£, $, € or decimals).
  { pattern: /(?<=\b(?:account|acct|acc|a\/c)\b[^\d\n]{0,30})(?<![£$€])\b\d{6,10}\b(?![.,]\d)/gi, redact: () => '[ACCOUNT]' },
  { pattern: /(?<![£$€.,])\b\d{6,10}\b(?![.,]\d)(?=[^\d\n]{0,20}\b(?:account|acct|a\/c)\b)/gi, redact: () => '[ACCOUNT]' },
  // UK national: (020) 7946 0958, 020 7946 0958, 07700 900123, 07700-900-123, 07700900123.
  { pattern: /\(0\d{2,4}\)[ ]?\d{3,4}[ -]?\d{3,4}\b|\b0\d{2,4}[ .-]\d{3,4}[ .-]?\d{3,4}\b|\b0[1-37-9]\d{8,9}\b/g, redact: () => '[PHONE]' },
  // Any other run of eight or more digits (account numbers, references), unless it is an amount.
  { pattern: /(?<![£$€])\b\d{8,}\b(?![.,]\d)/g, redact: () => '[ACCOUNT]' },
]

/**
 * A UUID is an id (a job, run or request), never a customer's: its segments can look
 * like an account number (an all-digit segment) or an IBAN ("be70-a325-45b3-2fa6"
 * passes the checksum one time in 97), so UUIDs are kept whole and only the text
 * between them is redacted.
 */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi

export function redactPii(text: string): string {
  const uuids = text.match(UUID) ?? []
  return text
    .split(UUID)
    .map((between, index) => redactBetweenIds(between) + (uuids[index] ?? ''))
    .join('')
}

function redactBetweenIds(text: string): string {
  let redacted = text
  for (const { pattern, redact } of REDACTIONS) redacted = redacted.replace(pattern, redact)
  return redacted
}

/**
 * A run of separated digits can hold a card number beside other digits ("order 12
 * 4111 1111 1111 1111", "4111 1111 1111 1111 2 times"). The card is the longest part
 * of the run that starts and ends at a group boundary, has 13 to 19 digits and passes
 * Luhn; what is around it is kept (and met by the later rules).
 */
function redactCardsIn(run: string): string {
  const separators = [...run.matchAll(/[ .-]/g)].map((match) => match.index)
  const starts = [0, ...separators.map((index) => index + 1)]
  const ends = [...separators, run.length]
  let best: { start: number; end: number } | undefined
  for (const start of starts) {
    for (const end of ends) {
      if (end <= start || (best && end - start <= best.end - best.start)) continue
      const digits = digitsOf(run.slice(start, end))
      if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) best = { start, end }
    }
  }
  if (!best) return run
  return `${redactCardsIn(run.slice(0, best.start))}[CARD]${redactCardsIn(run.slice(best.end))}`
}

/**
 * The IBAN pattern runs on into a following word that looks like a group ("BE68 5390
 * 0754 7034 from"), so the IBAN is the longest prefix of the match that ends where a
 * group does and passes the checksum; the rest of the match is kept.
 */
function redactIbanPrefix(match: string): string {
  for (let end = match.length; end > 0; end--) {
    if (end < match.length && match[end] !== ' ' && match[end] !== '-') continue
    if (isValidIban(match.slice(0, end))) return `[IBAN]${match.slice(end)}`
  }
  return match
}

const digitsOf = (text: string) => text.replace(/\D/g, '')

/** The Luhn check every payment card number passes. */
export function passesLuhn(digits: string): boolean {
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index])
    if (index % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return digits.length > 0 && sum % 10 === 0
}

/** ISO 13616: move the first four characters to the end, letters to numbers (A=10), mod 97 must be 1. */
export function isValidIban(text: string): boolean {
  const iban = text.replace(/[ -]/g, '').toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false
  let remainder = 0
  for (const character of iban.slice(4) + iban.slice(0, 4)) {
    const value = character >= 'A' ? character.charCodeAt(0) - 55 : Number(character)
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97
  }
  return remainder === 1
}
