/**
 * What an `llm-api` run can be told (a benchmark arm's hyperparameters, mapped from
 * the edge's snake_case names) and where it finds its endpoint (the environment).
 */
import { setting, settingText, type Environment, type SettingName } from '@bankbench/settings'

export interface LlmApiOptions {
  /** Model name sent to the endpoint. Default: BANKBENCH_LLM_MODEL. */
  model?: string
  /** How many labels get worked examples in the prompt (all labels are always listed). Default 10. */
  fewShotLabels: number
  /** Training examples shown per chosen label. Default 2. */
  examplesPerLabel: number
  /**
   * Test queries sent, sampled with the run's seed. Default 200: the full Banking77 test
   * split is 3,080 paid requests; 200 queries pin an accuracy near 90% to about ±4 points (95% interval).
   */
  maxQueries: number
  /** Requests in flight at once. Default 4. */
  concurrency: number
  /** Retries of one request after a 429, a 5xx, a timeout or a network error. Default 5. */
  maxRetries: number
  /** Default 0: the most likely label, as reproducible as the endpoint allows. */
  temperature: number
  /** Longest answer in tokens. Default 32: the longest Banking77 label is about 15 tokens. */
  maxTokens: number
  /**
   * `text`: the answer is free text mapped to a label (works with every endpoint).
   * `json_schema`: asks for {"label": <one of the labels>} through OpenAI's structured
   * outputs (`response_format`), which OpenAI and vLLM enforce while decoding.
   */
  responseFormat: 'text' | 'json_schema'
  /** US dollars per 1,000 prompt tokens; with the output price it gives the run's cost. Default: unknown (no cost). */
  pricePer1kInputTokens: number | null
  pricePer1kOutputTokens: number | null
  /** One attempt's time limit. Default 60 s. */
  requestTimeoutMs: number
  /** First retry's wait; it doubles per retry, up to maxBackoffMs, unless the server sends Retry-After. */
  initialBackoffMs: number
  maxBackoffMs: number
}

export const DEFAULT_LLM_API_OPTIONS: LlmApiOptions = {
  fewShotLabels: 10,
  examplesPerLabel: 2,
  maxQueries: 200,
  concurrency: 4,
  maxRetries: 5,
  temperature: 0,
  maxTokens: 32,
  responseFormat: 'text',
  pricePer1kInputTokens: null,
  pricePer1kOutputTokens: null,
  requestTimeoutMs: 60_000,
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
}

/** The edge's hyperparameter names (METHOD_CATALOG['llm-api']) to the options above. */
export function llmApiOptionsFromHyperparameters(hyperparameters: Record<string, unknown>): LlmApiOptions {
  const named: Record<string, keyof LlmApiOptions> = {
    model: 'model',
    few_shot_labels: 'fewShotLabels',
    examples_per_label: 'examplesPerLabel',
    max_queries: 'maxQueries',
    concurrency: 'concurrency',
    max_retries: 'maxRetries',
    temperature: 'temperature',
    max_tokens: 'maxTokens',
    response_format: 'responseFormat',
    price_per_1k_input_tokens: 'pricePer1kInputTokens',
    price_per_1k_output_tokens: 'pricePer1kOutputTokens',
  }
  const options: Record<string, unknown> = { ...DEFAULT_LLM_API_OPTIONS }
  for (const [field, value] of Object.entries(hyperparameters)) {
    const option = named[field]
    if (!option) throw new Error(`llm-api has no hyperparameter "${field}"; expected one of ${Object.keys(named).join(', ')}`)
    if (value !== undefined) options[option] = value
  }
  return options as unknown as LlmApiOptions
}

/** An OpenAI-compatible endpoint: `POST {baseUrl}/chat/completions` with a bearer key. */
export interface LlmEndpoint {
  baseUrl: string
  /** Sent only in the Authorization header; never logged or stored. */
  apiKey: string
  model: string
  /**
   * The operator allowed sending the dataset's text (customer messages) to this
   * endpoint (LLM_SEND_CUSTOMER_TEXT_ENV). `createChatCompletion` sends nothing without it.
   */
  customerTextAllowed: true
}

/**
 * The opt-in for sending a dataset's messages to a third party: the test queries and the
 * few-shot examples are the dataset's own text, which for an uploaded dataset is a bank's
 * customers' messages (redaction cannot be relied on to make them anonymous). Off unless
 * the job's environment sets it to `1` or `true`; off, an llm-api run is skipped with a
 * reason that names this variable.
 */
export const LLM_SEND_CUSTOMER_TEXT_ENV = 'BANKBENCH_LLM_SEND_CUSTOMER_TEXT' satisfies SettingName

/** Why an endpoint without the opt-in sends nothing: the skip reason of a run, and the error of a direct call. */
export const CUSTOMER_TEXT_NOT_ALLOWED = `the llm-api baseline sends the dataset's messages (test queries and few-shot training examples) to the endpoint at BANKBENCH_LLM_BASE_URL, ` +
  `and sending customer text to a third party needs the operator's opt-in: set ${LLM_SEND_CUSTOMER_TEXT_ENV}=1 in the job's environment to allow it`

export const LLM_ENDPOINT_ENV = {
  baseUrl: 'BANKBENCH_LLM_BASE_URL',
  apiKey: 'BANKBENCH_LLM_API_KEY',
  model: 'BANKBENCH_LLM_MODEL',
  sendCustomerText: LLM_SEND_CUSTOMER_TEXT_ENV,
} as const satisfies Record<string, SettingName>

/**
 * The endpoint from the environment, or why there is none (no endpoint configured, or
 * no opt-in to send customer text to it). `unset` counts as missing:
 * it is the placeholder value of the stage's `LlmBaselineApiKey` secret (infra/secrets.ts).
 * The model may come from the run instead (`model` hyperparameter); the base URL may
 * not, so that the key is only ever sent where the operator configured it.
 */
export function llmEndpointFromEnv(env: Environment, model?: string): LlmEndpoint | { skipped: string } {
  const baseUrl = setting(LLM_ENDPOINT_ENV.baseUrl, env)
  const apiKey = setting(LLM_ENDPOINT_ENV.apiKey, env)
  const chosenModel = model ?? setting(LLM_ENDPOINT_ENV.model, env)
  const missing = [
    ...(baseUrl ? [] : [LLM_ENDPOINT_ENV.baseUrl]),
    ...(apiKey ? [] : [LLM_ENDPOINT_ENV.apiKey]),
    ...(chosenModel ? [] : [LLM_ENDPOINT_ENV.model]),
  ]
  if (missing.length > 0) {
    return { skipped: `no LLM endpoint configured: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set in the job's environment` }
  }
  if (!setting(LLM_SEND_CUSTOMER_TEXT_ENV, env)) {
    const optIn = settingText(LLM_SEND_CUSTOMER_TEXT_ENV, env)?.trim()
    const given = optIn ? ` (it is ${JSON.stringify(optIn.slice(0, 20))}, which is not 1 or true)` : ''
    return { skipped: `${CUSTOMER_TEXT_NOT_ALLOWED}${given}` }
  }
  return { baseUrl: baseUrl!.replace(/\/+$/, ''), apiKey: apiKey!, model: chosenModel!, customerTextAllowed: true }
}
