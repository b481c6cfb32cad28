/**
 * One chat completion from an OpenAI-compatible endpoint, retried on the failures a
 * retry can fix: 429 (rate limit), 5xx, a timed-out attempt or a dropped connection.
 * Other statuses (400 bad request, 401 bad key, 404 unknown model) fail at once.
 */
import { redactPii } from '@bankbench/data'
import { CUSTOMER_TEXT_NOT_ALLOWED, type LlmEndpoint } from './options'

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface ChatRequest {
  messages: ChatMessage[]
  temperature: number
  maxTokens: number
  /** OpenAI's `response_format` object, passed through when set. */
  responseFormat?: Record<string, unknown>
}

export interface RetryPolicy {
  maxRetries: number
  initialBackoffMs: number
  maxBackoffMs: number
  requestTimeoutMs: number
}

export interface ChatCompletion {
  content: string
  /** `usage` as the endpoint reported it; null when it reported none. */
  usage: { promptTokens: number; completionTokens: number } | null
  /** The successful attempt's time, request to parsed body: the service's latency. */
  latencyMs: number
  /** From the first attempt to the answer, backoff waits and failed attempts included. */
  totalMs: number
  attempts: number
}

export class ChatCompletionError extends Error {
  constructor(message: string, readonly status: number | null, readonly attempts: number) {
    super(message)
    this.name = 'ChatCompletionError'
  }
}

const RETRYABLE = (status: number) => status === 429 || status >= 500

export async function createChatCompletion(endpoint: LlmEndpoint, request: ChatRequest, policy: RetryPolicy, signal?: AbortSignal): Promise<ChatCompletion> {
  // The type demands the opt-in; this holds for callers that cast or build the endpoint by hand, before anything is sent.
  if ((endpoint as { customerTextAllowed?: unknown }).customerTextAllowed !== true) throw new ChatCompletionError(`nothing was sent: ${CUSTOMER_TEXT_NOT_ALLOWED}`, null, 0)
  const body = JSON.stringify({
    model: endpoint.model,
    messages: request.messages,
    temperature: request.temperature,
    max_tokens: request.maxTokens,
    ...(request.responseFormat ? { response_format: request.responseFormat } : {}),
  })
  const started = performance.now()
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted()
    const attemptStarted = performance.now()
    let failure: { message: string; status: number | null; retryAfterMs: number | null }
    try {
      const response = await fetch(`${endpoint.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${endpoint.apiKey}` },
        body,
        signal: anySignal(signal, AbortSignal.timeout(policy.requestTimeoutMs)),
      })
      if (response.ok) {
        const parsed = parseCompletion(await response.json())
        const finished = performance.now()
        return { ...parsed, latencyMs: finished - attemptStarted, totalMs: finished - started, attempts: attempt }
      }
      // The body says what was wrong (unknown model, bad request); the key is never in it or in our message. Some
      // endpoints quote the prompt back, and this detail reaches logs and the run's failure reason: redacted.
      const detail = redactPii((await response.text()).slice(0, 300))
      failure = { message: `HTTP ${response.status}: ${detail}`, status: response.status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) }
      if (!RETRYABLE(response.status)) throw new ChatCompletionError(`${endpoint.baseUrl}/chat/completions answered ${failure.message}`, response.status, attempt)
    } catch (error) {
      if (error instanceof ChatCompletionError) throw error
      signal?.throwIfAborted()
      // fetch rejects with a TypeError when the connection fails and a TimeoutError when our timeout fires.
      failure = { message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), status: null, retryAfterMs: null }
    }
    if (attempt > policy.maxRetries) {
      throw new ChatCompletionError(`${endpoint.baseUrl}/chat/completions failed after ${attempt} attempts; last: ${failure.message}`, failure.status, attempt)
    }
    const backoff = Math.min(policy.initialBackoffMs * 2 ** (attempt - 1), policy.maxBackoffMs)
    await sleep(Math.min(failure.retryAfterMs ?? backoff, policy.maxBackoffMs), signal)
  }
}

function parseCompletion(json: unknown): Pick<ChatCompletion, 'content' | 'usage'> {
  const body = json as { choices?: { message?: { content?: unknown } }[]; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }
  const content = body.choices?.[0]?.message?.content
  if (typeof content !== 'string') throw new ChatCompletionError('the endpoint answered without choices[0].message.content', null, 1)
  const { prompt_tokens: promptTokens, completion_tokens: completionTokens } = body.usage ?? {}
  const usage = typeof promptTokens === 'number' && typeof completionTokens === 'number' ? { promptTokens, completionTokens } : null
  return { content, usage }
}

/** Retry-After as seconds (the form rate limiters send) or an HTTP date. */
function retryAfterMs(header: string | null): number | null {
  if (header === null) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now())
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((signal): signal is AbortSignal => signal !== undefined))
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
