/**
 * Customer messages carry card numbers, IBANs, account numbers, e-mail addresses and
 * phone numbers. Anything about a message that is stored or logged goes through
 * `redactPii` first. Card numbers and IBANs are recognised by their checksums, so a
 * digit run that fails them is redacted by the looser rules after (account, phone).
 */

const REDACTIONS: { placeholder: string; pattern: RegExp; accept?: (match: string) => boolean }[] = [
  { placeholder: '[EMAIL]', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g },
  // Country code, check digits, then groups of four (separated or not) and a shorter tail. Upper case
  // only, as IBANs are written: a lower-case pattern would run on into the words after it.
  { placeholder: '[IBAN]', pattern: /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b/g, accept: isValidIban },
  // 13 to 19 digits, optionally separated by single spaces or dashes.
  { placeholder: '[CARD]', pattern: /\b\d(?:[ -]?\d){12,18}\b/g, accept: (match) => passesLuhn(digitsOf(match)) },
  { placeholder: '[PHONE]', pattern: /(?:\+|\b00)\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{2,4}(?:[ -]?\d{2,4}){1,4}\b|\b0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}\b/g },
  { placeholder: '[ACCOUNT]', pattern: /\b\d{8,}\b/g },
]

export function redactPii(text: string): string {
  let redacted = text
  for (const { placeholder, pattern, accept } of REDACTIONS) {
    redacted = redacted.replace(pattern, (match) => (accept && !accept(match) ? match : placeholder))
  }
  return redacted
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
