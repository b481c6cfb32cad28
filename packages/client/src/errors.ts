import type { components } from './schema'

/** The API's error body (RFC 9457 problem details), as openapi.yaml declares it. */
export type Problem = components['schemas']['Problem']

/** Every failure of a bankbench call: catch this one to fall back whatever went wrong. */
export class BankbenchError extends Error {
  override name = 'BankbenchError'
}

/** The API answered with an error status; `problem` is its problem+json body. */
export class BankbenchApiError extends BankbenchError {
  override name = 'BankbenchApiError'
  readonly status: number
  readonly problem: Problem
  /** The server's X-Request-Id, to find the request in its logs. */
  readonly requestId: string | null

  constructor(problem: Problem, requestId: string | null) {
    super(`${problem.title} (${problem.status}): ${problem.detail}`)
    this.status = problem.status
    this.problem = problem
    this.requestId = requestId
  }

  /** Reads an error response. A body that is not problem+json (a proxy's HTML page) becomes a problem of its own. */
  static async fromResponse(response: Response): Promise<BankbenchApiError> {
    const requestId = response.headers.get('x-request-id')
    const text = await response.text()
    const problem = response.headers.get('content-type')?.startsWith('application/problem+json') ? parseProblem(text) : null
    return new BankbenchApiError(problem ?? {
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: text.slice(0, 200) || 'the response had no body',
    }, requestId)
  }
}

function parseProblem(text: string): Problem | null {
  try {
    return JSON.parse(text) as Problem
  } catch {
    return null
  }
}

/** No answer within `timeoutMs` on any attempt. */
export class BankbenchTimeoutError extends BankbenchError {
  override name = 'BankbenchTimeoutError'
  constructor(readonly timeoutMs: number, readonly attempts: number) {
    super(`bankbench did not answer within ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'})`)
  }
}

/** The API could not be reached (connection refused, reset, DNS), even after retrying. */
export class BankbenchUnavailableError extends BankbenchError {
  override name = 'BankbenchUnavailableError'
  constructor(readonly attempts: number, cause: unknown) {
    super(`bankbench could not be reached (${attempts} attempt${attempts === 1 ? '' : 's'}): ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`, { cause })
  }
}
