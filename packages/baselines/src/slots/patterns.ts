/**
 * Regular expressions for the slot values a banking assistant meets most: money, dates
 * and times (the NLU++ slot types amount_of_money, date*, time*, date_period,
 * time_period). Written from the shapes in NLU++'s training folds (0-14), never its
 * held-out folds. Each pattern returns the whole match as the span unless it has a
 * group named `value`, which then is the span (e.g. "this |morning|").
 */

const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)'
const WEEKDAY = '(?:mon|tues|wednes|thurs|fri|satur|sun)day'
const ORDINAL = '\\d{1,2}(?:st|nd|rd|th)'
const YEAR = '(?:\\s(?:19|20)\\d{2})'
const NUMBER = '\\d+(?:[.,]\\d+)*'
const CURRENCY_WORD = '(?:pounds?|quid|dollars?|bucks|euros?|gbp|usd|eur|pence|cents?)'
const DAY_PART = '(?:morning|afternoon|evening|night)'
const MERIDIEM = '(?:a\\.?m\\.?|p\\.?m\\.?)'
const COUNT = '(?:\\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\\sfew|few|several)'

export type SlotFamily = 'amount' | 'date' | 'time' | 'date_period' | 'time_period'

export interface SlotPattern {
  family: SlotFamily
  regex: RegExp
}

const pattern = (family: SlotFamily, source: string): SlotPattern => ({ family, regex: new RegExp(`(?<![\\w£$€])(?:${source})(?![\\w£$€])`, 'giu') })

export const SLOT_PATTERNS: readonly SlotPattern[] = [
  pattern('amount', `[£$€]\\s?${NUMBER}(?:\\s?(?:k|thousand|million))?|${NUMBER}\\s?(?:[£$€]|${CURRENCY_WORD})`),
  // Clock times: 12:45, 9 05 a.m., 25 past 23, half past 5, 5ish, with a day part after.
  pattern('time', `(?:\\d{1,2}[:.]\\d{2}(?:\\s?${MERIDIEM})?|\\d{1,2}\\s\\d{2}\\s?${MERIDIEM}|(?:half|quarter|\\d{1,2})\\s(?:past|to)\\s\\d{1,2}(?:\\s?${MERIDIEM})?|\\d{1,2}(?:ish|\\s?${MERIDIEM}|\\s?o'?clock))(?:\\s(?:in\\s(?:the\\s)?)?${DAY_PART})?`),
  pattern('time', `\\d{1,2}(?:\\s\\d{2})?\\s(?:in\\s(?:the\\s)?)?${DAY_PART}|\\d+\\s(?:minutes?|hours?)\\sago`),
  pattern('date', `${ORDINAL}(?:\\sof)?(?:\\s${MONTH})?${YEAR}?|${MONTH}(?:\\sthe)?\\s${ORDINAL}${YEAR}?|\\d{1,2}\\s${MONTH}${YEAR}?|${MONTH}${YEAR}|${MONTH}\\s\\d{1,2}(?!\\d)${YEAR}?|${WEEKDAY},?\\s(?:the\\s)?(?:${ORDINAL}|\\d{1,2})(?:\\s(?:of\\s)?${MONTH})?${YEAR}?`),
  // A bare year only where it reads as a date: "from 2019", "during 2019".
  pattern('date', `(?<=(?:from|since|during|in|until)\\s)(?:19|20)\\d{2}`),
  pattern('date', `(?:(?:last|next|this)\\s)?${WEEKDAY}(?:\\sin\\sa\\sweek)?|today|tomorrow|yesterday|tonight|last\\snight|\\d+\\s(?:days?|weeks?|months?|years?)\\sago|in\\s\\d+\\s(?:days?|weeks?)|\\d{1,2}[/-]\\d{1,2}(?:[/-]\\d{2,4})?`),
  pattern('date_period', `(?:this|last|next|previous|current|past)\\s(?:${COUNT}\\s)?(?:weeks?|months?|quarters?|years?|days)|monthly|weekly|annually|yearly|lately|recently`),
  pattern('time_period', `(?:last|next|past)\\s(?:${COUNT}\\s)?(?:hours?|minutes?)(?:\\sand\\sa\\shalf)?|\\d+\\s(?:hours|minutes)(?!\\sago)|(?:this|yesterday)\\s(?<value>${DAY_PART})`),
  pattern('date', `${MONTH}`),
]

/** Words just before a date or time that make it the start or the end of a range. */
export const RANGE_START = /(?:from|since|between|after|starting|start\s+at|as\s+of)(?:\s+the)?\s*$/iu
export const RANGE_END = /(?:to|until|till|up\s+to|and|before|through|ending\s+at)(?:\s+the)?\s*$/iu
