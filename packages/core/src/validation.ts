import { z } from 'zod'

/**
 * Request validation shared by the API's route schemas and the benchmark spec:
 * strict objects whose unknown keys are named with the nearest known one, strings
 * that refuse control characters, and one way to turn zod issues into the
 * `errors[]` of a validation problem.
 */

export interface FieldError {
  path: string
  message: string
}

/** How long a key may be before it is shortened in a message (a key is client input). */
const MAX_KEY_IN_MESSAGE = 60

/**
 * The edit distance between two strings (Levenshtein, with a swap of two adjacent
 * letters counting as one edit: optimal string alignment), or `limit + 1` as soon
 * as it is certain to exceed `limit` (keys are short, but a client may send a long one).
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let beforePrevious: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, beforePrevious[j - 2]! + 1)
      current.push(value)
      rowMin = Math.min(rowMin, value)
    }
    if (rowMin > limit) return limit + 1
    beforePrevious = previous
    previous = current
  }
  return previous[b.length]!
}

/**
 * The known word nearest to `word`, if it is near enough to be a likely typo: at
 * most a third of the word's letters off (at least one, at most three), ignoring
 * case. Null when nothing is that close.
 */
export function nearestWord(word: string, known: readonly string[]): string | null {
  if (word.length > 100) return null
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)))
  let best: string | null = null
  let bestDistance = limit + 1
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase(), limit)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** A client's key or value quoted for a message: control characters escaped, long ones shortened. */
export function quoteForMessage(text: string, maxLength = MAX_KEY_IN_MESSAGE): string {
  const shortened = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text
  return `'${JSON.stringify(shortened).slice(1, -1).replaceAll("'", "\\'")}'`
}

/**
 * "unknown key 'confg'; did you mean 'config'?", one clause per key, or the known
 * keys when none is close. `issuesToErrors` adds where the object is
 * ("unknown key 'confg' in arms[0]; …").
 */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  return keys.map((key) => {
    const nearest = nearestWord(key, known)
    const hint = nearest ? `did you mean '${nearest}'?` : known.length > 0 ? `the known keys are ${known.join(', ')}` : 'this object takes no keys'
    return `unknown key ${quoteForMessage(key)}; ${hint}`
  }).join('; ')
}

/**
 * A zod object that refuses unknown keys (an unknown key would otherwise be
 * dropped silently: a typo would change nothing and say nothing), naming each with
 * the nearest known key. `.partial()`, `.extend()` and `.refine()` keep both.
 */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined
      // The object that refused the keys: after extend() it has more keys than `shape`.
      const refusing = issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined
      return unknownKeysMessage(issue.keys, Object.keys(refusing?._zod?.def?.shape ?? shape))
    },
  })
}

/** Control characters: C0 (U+0000 to U+001F) and DEL (U+007F). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/
// eslint-disable-next-line no-control-regex
const WITHOUT_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/

export const CONTROL_CHARACTERS_MESSAGE = 'must not contain control characters (U+0000 to U+001F, U+007F)'

/**
 * A single-line string that names something (a benchmark name, an id, a stage, a
 * hyperparameter value): control characters are refused, as they have no place in
 * a name and break logs, headers and the database (Postgres text cannot hold NUL).
 * Multi-line text (a customer message) should not use this.
 */
export function nameString() {
  return z.string().regex(WITHOUT_CONTROL_CHARACTERS, CONTROL_CHARACTERS_MESSAGE)
}

/** `arms[0].config`; the root is "the body" (or the request part in `prefix`). */
export function describeLocation(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the body'
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('')
}

type Issue = z.core.$ZodIssue

/**
 * Zod issues as a validation problem's `errors[]`: paths dotted (`arms.0.method`,
 * `(body)` for the root) after `prefix` (`query`, `path`), every unknown key named
 * with where its object is, and a failed union reported as the branch that came
 * closest (the fewest unknown keys, then the fewest issues).
 */
export function issuesToErrors(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): FieldError[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => unknownKeyCount(a) - unknownKeyCount(b) || a.length - b.length)[0]!
      if (closest.length > 0) return issuesToErrors(closest, path)
    }
    const message = issue.code === 'unrecognized_keys'
      ? issue.message.replace(/unknown key ('(?:[^'\\]|\\.)*')/g, (_, key: string) => `unknown key ${key} in ${describeLocation(path)}`)
      : issue.message
    return [{ path: path.map(String).join('.') || '(body)', message }]
  })
}

function unknownKeyCount(issues: readonly Issue[]): number {
  return issues.filter((issue) => issue.code === 'unrecognized_keys' && issue.path.length === 0).reduce((sum, issue) => sum + (issue as { keys: string[] }).keys.length, 0)
}

/** `path: message; path: message`, for a problem's detail. */
export function describeErrors(errors: readonly FieldError[]): string {
  return errors.map((error) => `${error.path}: ${error.message}`).join('; ')
}
