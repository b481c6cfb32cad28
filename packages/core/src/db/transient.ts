import type pg from 'pg'

/** Connection-level error codes of Node's sockets. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'])
/** SQLSTATEs a later attempt can succeed after: lost connections, restarts, contention. */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03', '55P03'])
/** Errors raised before the server saw the statement: retrying cannot run it twice. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', '53300', '57P03'])

function codeOf(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined
  const { code, cause } = error as { code?: unknown; cause?: unknown }
  if (typeof code === 'string') return code
  return cause === error ? undefined : codeOf(cause)
}

/**
 * Whether a database error says "try again later" rather than "this is wrong":
 * the server restarted or was unreachable, the connection dropped, a serialization
 * conflict or deadlock, too many clients. node-postgres' own messages for a dropped
 * connection carry no code, so they are matched by text.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = codeOf(error)
  if (code && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || code.startsWith('08'))) return true
  const message = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : ''
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
}

/**
 * Retries the pool's one-shot queries (not those of a checked-out client, which may
 * be inside a transaction) when the error proves the statement never ran: the
 * server refused the connection or was starting. Backoff 100 ms doubling, up to
 * `attempts` tries (about 25 s with the default 8), enough for a restart.
 */
export function retryUnsentQueries(pool: pg.Pool, attempts = 8): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>
  const retrying = async (...args: unknown[]): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await query(...args)
      } catch (error) {
        const code = codeOf(error)
        if (attempt >= attempts || !code || !NOT_SENT_CODES.has(code)) throw error
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** (attempt - 1), 6_400)))
      }
    }
  }
  // Callback-style calls keep the original behaviour.
  pool.query = ((...args: unknown[]) => (typeof args[args.length - 1] === 'function' ? query(...args) : retrying(...args))) as typeof pool.query
}
