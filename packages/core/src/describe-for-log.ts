import { redactPii } from '@bankbench/data'
import { DrizzleQueryError } from 'drizzle-orm'

/**
 * An error for a log (the API's, a job's) or a stored failure reason, without customer
 * text in clear. Drizzle puts a query's parameters (which can be uploaded text) in its
 * error message and Postgres quotes offending values in its own, so for those only the
 * SQL, the SQLSTATE and the constraint are kept; any other message (a tokenizer's, an
 * endpoint's answer) goes through `redactPii`.
 */
export function describeForLog(error: unknown): string {
  if (!(error instanceof Error)) return `non-error thrown (${typeof error})`
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n')
  const cause = error.cause === undefined ? '' : `\ncaused by ${describeForLog(error.cause)}`
  return `${error.name}: ${errorMessageForLog(error)}\n${frames}${cause}`
}

/** An error's message as `describeForLog` gives it, without the stack: for a stored failure reason. */
export function errorMessageForLog(error: unknown): string {
  if (!(error instanceof Error)) return redactPii(String(error))
  // The cause (the driver's error: a SQLSTATE, a closed connection) is what says why.
  if (error instanceof DrizzleQueryError) return `failed query: ${error.query}${error.cause ? ` (${errorMessageForLog(error.cause)})` : ''}`
  if (isPostgresError(error)) return `SQLSTATE ${error.code}${error.constraint ? ` (constraint ${error.constraint})` : ''}`
  return redactPii(error.message)
}

function isPostgresError(error: Error): error is Error & { code: string; constraint?: string } {
  return 'severity' in error && typeof (error as { code?: unknown }).code === 'string'
}

/** The longest failure reason stored on a run (`runs.error`) or a job (`jobs.status_reason`). */
export const STORED_REASON_MAX_LENGTH = 2000

/**
 * A failure or cancellation reason as it is stored and served back (GET /v1/runs,
 * /v1/jobs, the event stream): every writer of `runs.error` and `jobs.status_reason`
 * passes it through here, whatever built it (a handler's error, a child's stderr, AWS
 * Batch's reason, a user's cancel). PII redacted, control characters (a child's stderr
 * carries terminal escapes; Postgres text cannot hold NUL) as spaces, newlines kept, at
 * most STORED_REASON_MAX_LENGTH characters. Redacted before it is cut, so the cut never
 * leaves the unredacted half of a card number. The input is first bounded at 64 times the
 * limit to bound the cost; what that first cut splits could only reach the stored text if
 * 128,000 characters redacted to fewer than 2,000 (a reason made of giant digit runs).
 */
export function storedReason(reason: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = redactPii(reason.slice(0, STORED_REASON_MAX_LENGTH * 64)).replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ')
  return clean.length <= STORED_REASON_MAX_LENGTH ? clean : `${clean.slice(0, STORED_REASON_MAX_LENGTH - 1)}…`
}
