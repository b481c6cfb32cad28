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
