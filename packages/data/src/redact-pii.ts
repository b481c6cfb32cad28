/**
 * Customer messages carry card numbers, IBANs, account numbers, e-mail addresses and
 * phone numbers. Anything about a message that is stored or logged goes through
 * `redactPii` first. Card numbers and IBANs are recognised by their checksums, so a
 * digit run that fails them is redacted by the looser rules after (account, phone).
 */

/** Each rule replaces what its pattern matches by what `redact` returns for it: a placeholder, or the match itself when a checksum says it is not one. */
const REDACTIONS: { pattern: RegExp; redact: (match: string) => string }[] = [
  { pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, redact: () => '[EMAIL]' },
  // Country code, check digits, then groups of four (separated by a space or a dash, or not) and a shorter tail,
  // in either case: customers type IBANs in lower case too.
  { pattern: /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b/gi, redact: redactIbanPrefix },
  // 13 to 19 digits, optionally separated by single spaces or dashes.
  { pattern: /\b\d(?:[ -]?\d){12,18}\b/g, redact: (match) => (passesLuhn(digitsOf(match)) ? '[CARD]' : match) },
  { pattern: /(?:\+|\b00)\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{2,4}(?:[ -]?\d{2,4}){1,4}\b|\b0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}\b/g, redact: () => '[PHONE]' },
  { pattern: /\b\d{8,}\b/g, redact: () => '[ACCOUNT]' },
]

export function redactPii(text: string): string {
  let redacted = text
  for (const { pattern, redact } of REDACTIONS) redacted = redacted.replace(pattern, redact)
  return redacted
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
