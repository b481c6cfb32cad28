import { setTimeout as sleep } from 'node:timers/promises'
import { BankbenchTimeoutError, BankbenchUnavailableError } from './errors'

export interface RetryPolicy {
  /** Each attempt (request and response body) is aborted after this long. */
  timeoutMs: number
  /** Attempts after the first one. */
  retries: number
  /** The first backoff; each retry doubles it, and a random jitter spreads clients apart. */
  baseDelayMs: number
  /** No wait is longer: a Retry-After beyond it ends the retries, since a caller is waiting. */
  maxDelayMs: number
}

/** Methods that change nothing when repeated (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

/**
 * A fetch that bounds every attempt with `AbortSignal.timeout` and retries what is
 * safe to retry; `send` makes each attempt (the global fetch, or an in-process app).
 * 429 and 503 say the server did not take the request on, so they are retried for
 * every method. Other 5xx, timeouts and network errors may have left the request
 * half done, so they are retried only for idempotent methods and for requests
 * carrying an Idempotency-Key (the API replays those).
 */
export function resilientFetch(policy: RetryPolicy, send: (request: Request) => Promise<Response> = (request) => fetch(request)): (request: Request) => Promise<Response> {
  return async (request) => {
    const replayable = IDEMPOTENT_METHODS.has(request.method) || request.headers.has('idempotency-key')
    for (let attempt = 1; ; attempt++) {
      const retriesLeft = attempt <= policy.retries
      const timeout = AbortSignal.timeout(policy.timeoutMs)
      let response: Response
      try {
        // A fresh copy per attempt: a request body can be read only once.
        response = await send(new Request(request.clone(), { signal: AbortSignal.any([request.signal, timeout]) }))
      } catch (error) {
        if (request.signal.aborted) throw error
        if (!(retriesLeft && replayable)) {
          throw timeout.aborted ? new BankbenchTimeoutError(policy.timeoutMs, attempt) : new BankbenchUnavailableError(attempt, error)
        }
        await sleep(backoffMs(policy, attempt), undefined, { signal: request.signal })
        continue
      }
      const retryable = response.status === 429 || response.status === 503 || (response.status >= 500 && replayable)
      if (!(retriesLeft && retryable)) return response
      const delay = retryAfterMs(response.headers.get('retry-after')) ?? backoffMs(policy, attempt)
      if (delay > policy.maxDelayMs) return response
      // Free the connection: the body of a response we are about to retry is never read.
      await response.body?.cancel()
      await sleep(delay, undefined, { signal: request.signal })
    }
  }
}

/** Exponential backoff with full jitter: a random wait in [0, base·2^(attempt-1)], capped. */
export function backoffMs(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, attempt: number): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
}

/** Retry-After in milliseconds: either delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null) return null
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}
