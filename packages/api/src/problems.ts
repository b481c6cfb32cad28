import { describeErrors, describeForLog, issuesToErrors, ProblemError, redactPii, type ProblemDetails } from '@bankbench/core'
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ZodError } from 'zod'
import type { ApiEnv } from './env'

/**
 * The one place errors become responses: every failure leaves the API as
 * `application/problem+json` (RFC 9457). Handlers throw `ProblemError`; validation,
 * framework and unexpected errors are translated here.
 */
export const handleError: ErrorHandler<ApiEnv> = (error, c) => {
  if (error instanceof ProblemError) return problemResponse(c, error.toProblem())
  if (error instanceof HTTPException && error.status < 500) return problemResponse(c, fromHttpException(error).toProblem())
  // describeForLog keeps customer text out of the error; the path is redacted too, as a client may put text there.
  console.error(`[api] ${c.req.method} ${redactPii(c.req.path)} (request ${c.get('requestId')}) failed: ${describeForLog(error)}`)
  return problemResponse(c, {
    type: 'https://bankbench.dev/problems/internal-error',
    title: 'Internal server error',
    status: 500,
    detail: `an unexpected error occurred; it was logged with request id ${c.get('requestId')}`,
  })
}

export const handleNotFound: NotFoundHandler<ApiEnv> = (c) =>
  problemResponse(c, new ProblemError('not-found', `there is no route ${c.req.method} ${c.req.path}; the API reference is at /docs`).toProblem())

/** The OpenAPIHono default hook: a failed zod validation of any request part becomes a 400 problem listing every issue. */
export function validationHook(result: { target: string; success: true; data: unknown } | { target: string; success: false; error: ZodError }): void {
  if (result.success) return
  // Body fields are named as in the body (`arms.0.method`); other parts by where they are (`query.limit`).
  const prefix = result.target === 'json' || result.target === 'form' ? [] : [result.target === 'param' ? 'path' : result.target]
  const errors = issuesToErrors(result.error.issues, prefix)
  throw new ProblemError('validation-failed', `the request is not valid: ${describeErrors(errors)}`, errors)
}

function fromHttpException(error: HTTPException): ProblemError {
  if (error.status === 400 && /malformed json/i.test(error.message)) {
    return new ProblemError('validation-failed', 'the request body is malformed JSON; send a JSON document with Content-Type: application/json')
  }
  if (error.status === 413) return new ProblemError('payload-too-large', 'the request body is too large')
  if (error.status === 415) return new ProblemError('unsupported-media-type', 'the request body has an unsupported content type; see /docs')
  if (error.status === 404) return new ProblemError('not-found', error.message)
  return new ProblemError('validation-failed', error.message || 'the request is not valid')
}

function problemResponse(c: Context, problem: ProblemDetails): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, { 'Content-Type': 'application/problem+json' })
}
