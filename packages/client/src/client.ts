import createClient, { type FetchResponse, type MaybeOptionalInit, type Middleware } from 'openapi-fetch'
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers'
import { BankbenchApiError } from './errors'
import { resilientFetch, type RetryPolicy } from './resilient-fetch'
import type { paths } from './schema'

export interface BankbenchClientOptions extends Partial<RetryPolicy> {
  /** Where the API is, e.g. `http://127.0.0.1:8787` (`npm start`) or the stage's API Gateway URL. */
  baseUrl: string
  /**
   * Sent as `Authorization: Bearer` on every request: an operator key (every /v1 route but
   * classify, on a stage with BANKBENCH_ADMIN_API_KEYS) or a stage's `bb_…` key (classify).
   */
  apiKey?: string
  /**
   * What sends each attempt; the global `fetch` by default. `(request) => app.request(request)`
   * talks to a Hono app in this process without a socket (the CLI's embedded stack),
   * with the same timeouts, retries and errors.
   */
  fetch?: (request: Request) => Promise<Response>
}

const DEFAULT_POLICY: RetryPolicy = { timeoutMs: 10_000, retries: 2, baseDelayMs: 200, maxDelayMs: 5_000 }

// openapi-fetch's method signature, with its error branch removed: errors are thrown.
type InitParam<Init> = RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }]
type Succeeded<Result> = Extract<Result, { data: unknown }>
type Operation<Path extends keyof paths, Method extends HttpMethod> = paths[Path][Method] extends infer Found extends Record<string | number, unknown> ? Found : never
type ThrowingMethod<Method extends HttpMethod, Media extends MediaType> = <Path extends PathsWithMethod<paths, Method>, Init extends MaybeOptionalInit<paths[Path], Method>>(
  url: Path,
  ...init: InitParam<Init>
) => Promise<Succeeded<FetchResponse<Operation<Path, Method>, Init, Media>>>

/**
 * Every route of openapi.yaml, typed: `GET('/v1/benchmarks/{id}', { params: { path: { id } } })`
 * resolves to `{ data, response }` with `data` typed by the route's schema, or throws a
 * `BankbenchError` (`BankbenchApiError` with the problem+json body, `BankbenchTimeoutError`,
 * `BankbenchUnavailableError`). `Media` narrows `data` where a route answers in several
 * media types: `BankbenchClient<'application/json'>` types the comparison as JSON, not
 * also as its `?format=csv` text.
 */
export interface BankbenchClient<Media extends MediaType = MediaType> {
  GET: ThrowingMethod<'get', Media>
  POST: ThrowingMethod<'post', Media>
  PUT: ThrowingMethod<'put', Media>
  PATCH: ThrowingMethod<'patch', Media>
  DELETE: ThrowingMethod<'delete', Media>
}

/** Turns every error status into a thrown BankbenchApiError, so that a call either has its data or throws. */
const throwProblems: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await BankbenchApiError.fromResponse(response)
  },
}

export function createBankbenchClient<Media extends MediaType = MediaType>(options: BankbenchClientOptions): BankbenchClient<Media> {
  const { baseUrl, apiKey } = options
  const policy: RetryPolicy = {
    timeoutMs: options.timeoutMs ?? DEFAULT_POLICY.timeoutMs,
    retries: options.retries ?? DEFAULT_POLICY.retries,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_POLICY.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_POLICY.maxDelayMs,
  }
  const client = createClient<paths>({
    baseUrl,
    fetch: resilientFetch(policy, options.fetch),
    headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
  })
  client.use(throwProblems)
  // The cast drops the `{ error }` results that throwProblems makes impossible.
  return client as unknown as BankbenchClient<Media>
}
