/**
 * One error type for everything a caller did wrong or asked for that is not
 * there. The API maps it to `application/problem+json` (RFC 9457); jobs record its
 * detail as the failure reason.
 */
export type ProblemCode =
  | 'validation-failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'invalid-state'
  | 'unavailable'

const STATUS: Record<ProblemCode, number> = {
  'validation-failed': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'invalid-state': 409,
  unavailable: 503,
}

const TITLE: Record<ProblemCode, string> = {
  'validation-failed': 'The request is not valid',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  'not-found': 'Not found',
  conflict: 'Conflict',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'invalid-state': 'Not allowed in the current state',
  unavailable: 'Service unavailable',
}

export interface ProblemDetails {
  type: string
  title: string
  status: number
  detail: string
  /** Field-level errors for validation problems. */
  errors?: { path: string; message: string }[]
}

export class ProblemError extends Error {
  constructor(
    readonly code: ProblemCode,
    detail: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(detail)
    this.name = 'ProblemError'
  }

  get status(): number {
    return STATUS[this.code]
  }

  toProblem(): ProblemDetails {
    return {
      type: `https://bankbench.dev/problems/${this.code}`,
      title: TITLE[this.code],
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    }
  }
}

export const notFound = (what: string, id: string) => new ProblemError('not-found', `${what} '${id}' does not exist`)
