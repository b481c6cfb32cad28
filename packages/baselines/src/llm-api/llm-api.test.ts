import { afterEach, describe, expect, it } from 'vitest'
import type { Example } from '../types'
import { ChatCompletionError, createChatCompletion } from './chat-client'
import { matchLabel } from './label-matching'
import { DEFAULT_LLM_API_OPTIONS, llmApiOptionsFromHyperparameters, llmEndpointFromEnv, type LlmApiOptions, type LlmEndpoint } from './options'
import { queryLlmApi, queryRecordsForStorage, sampleTestIndices } from './query-endpoint'
import { countWords, startFakeOpenAiServer, type FakeOpenAiServer, type FakeServerOptions } from './testing/fake-openai-server'

const labels = ['card_arrival', 'exchange_rate', 'top_up']
const train: Example[] = [
  { text: 'has my card been posted', label: 'card_arrival' }, { text: 'when does the card come', label: 'card_arrival' },
  { text: 'what rate do you use', label: 'exchange_rate' }, { text: 'euro to pound rate', label: 'exchange_rate' },
  { text: 'add money to my account', label: 'top_up' }, { text: 'how do I top up', label: 'top_up' },
]
const test: Example[] = [
  { text: 'my card has not arrived', label: 'card_arrival' },
  { text: 'which exchange rate applies', label: 'exchange_rate' },
  { text: 'top up failed', label: 'top_up' },
  { text: 'where is my new card', label: 'card_arrival' },
  { text: 'what rate for dollars', label: 'exchange_rate' },
]

/** A model that answers well, in the untidy ways real ones do, and gives up on top-ups. */
const untidyModel = (query: string): string => {
  if (query.includes('card')) return 'card_arrival'
  if (query.includes('rate')) return ' "Exchange rate." '
  return 'I am not sure.'
}

const endpoint = (server: FakeOpenAiServer) => ({ baseUrl: server.baseUrl, apiKey: 'sk-test-secret', model: 'fake-model', customerTextAllowed: true as const })
const fastRetries: Partial<LlmApiOptions> = { initialBackoffMs: 5, maxBackoffMs: 20 }
const options = (overrides: Partial<LlmApiOptions> = {}): LlmApiOptions => ({ ...DEFAULT_LLM_API_OPTIONS, ...fastRetries, ...overrides })

let server: FakeOpenAiServer | undefined
const start = async (serverOptions: FakeServerOptions) => (server = await startFakeOpenAiServer(serverOptions))
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('matchLabel', () => {
  it.each([
    ['card_arrival', 'card_arrival', 'exact'],
    ['Card Arrival.', 'card_arrival', 'normalised'],
    ['"exchange-rate"', 'exchange_rate', 'normalised'],
    ['Intent: top_up', 'top_up', 'normalised'],
    ['top_up\nBecause the customer wants to add money.', 'top_up', 'normalised'],
    ['```json\n{"label": "top_up"}\n```', 'top_up', 'normalised'],
    ['card', null, 'invalid'],
    ['card_arrival or top_up', null, 'invalid'],
  ])('%j -> %s (%s)', (answer, label, how) => {
    expect(matchLabel(answer, labels)).toEqual({ label, how })
  })
})

describe('queryLlmApi against an OpenAI-compatible server', () => {
  it('maps answers to labels, marks the rest invalid, and accounts for tokens and cost', async () => {
    const fake = await start({ answer: untidyModel })
    const result = await queryLlmApi({
      endpoint: endpoint(fake), labels, train, test, seed: 3,
      options: options({ fewShotLabels: 2, examplesPerLabel: 1, pricePer1kInputTokens: 0.5, pricePer1kOutputTokens: 2 }),
    })
    expect(result.queries.map(({ testIndex, predicted, match }) => [testIndex, predicted, match])).toEqual([
      [0, 'card_arrival', 'exact'], [1, 'exchange_rate', 'normalised'], [2, null, 'invalid'], [3, 'card_arrival', 'exact'], [4, 'exchange_rate', 'normalised'],
    ])
    expect(result.subset).toEqual({ seed: 3, size: 5, of: 5, testIndices: [0, 1, 2, 3, 4] })
    expect(result.fewShotExamples).toBe(2)

    // Usage is the server's word counts: every message of every request, every answer.
    const promptTokens = fake.requests.reduce((sum, request) => sum + request.body.messages.reduce((words, message) => words + countWords(message.content), 0), 0)
    const completionTokens = test.reduce((sum, example) => sum + countWords(untidyModel(example.text)), 0)
    expect(result.usage).toEqual({ promptTokens, completionTokens, queriesWithoutUsage: 0, costUsd: (promptTokens / 1000) * 0.5 + (completionTokens / 1000) * 2 })
    for (const query of result.queries) expect(query.latencyMs).toBeGreaterThan(0)

    const [first] = fake.requests
    expect(first!.headers.authorization).toBe('Bearer sk-test-secret')
    expect(first!.body).toMatchObject({ model: 'fake-model', temperature: 0, max_tokens: 32 })
    expect(first!.body.response_format).toBeUndefined()
    // System prompt with every label, two worked examples as earlier turns, then the query.
    expect(first!.body.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user'])
    expect(first!.body.messages[0]!.content).toContain(labels.join(', '))
  })

  it('sends a seeded sample of maxQueries test queries, never more than `concurrency` at once', async () => {
    const manyTests = Array.from({ length: 40 }, (_, index) => ({ text: `card question ${index}`, label: 'card_arrival' }))
    const fake = await start({ answer: untidyModel, delayMs: 15 })
    const result = await queryLlmApi({ endpoint: endpoint(fake), labels, train, test: manyTests, seed: 9, options: options({ maxQueries: 12, concurrency: 3 }) })
    expect(result.subset.testIndices).toEqual(sampleTestIndices(40, 12, 9))
    expect(result.subset.testIndices).toEqual([...result.subset.testIndices].sort((left, right) => left - right))
    expect(new Set(result.subset.testIndices).size).toBe(12)
    expect(result.queries.map((query) => query.text)).toEqual(result.subset.testIndices.map((index) => manyTests[index]!.text))
    expect(fake.requests).toHaveLength(12)
    expect(fake.maxInFlight).toBe(3)
    expect(sampleTestIndices(40, 12, 10)).not.toEqual(result.subset.testIndices)
  })

  it('retries 429 and 5xx with backoff, honouring Retry-After, and records the attempts', async () => {
    const fake = await start({
      answer: untidyModel,
      intercept: (query, call) => {
        if (query === test[0]!.text && call <= 2) return { status: 429, body: { error: { message: 'rate limited' } }, headers: { 'retry-after': '0' } }
        if (query === test[1]!.text && call === 1) return { status: 503, body: { error: { message: 'overloaded' } } }
        return undefined
      },
    })
    const result = await queryLlmApi({ endpoint: endpoint(fake), labels, train, test, seed: 1, options: options() })
    expect(result.queries.map((query) => query.attempts)).toEqual([3, 2, 1, 1, 1])
    expect(result.queries[0]!.predicted).toBe('card_arrival')
    // The answered attempt's latency excludes the waits and the failed attempts; the total includes them.
    expect(result.queries[1]!.totalMs).toBeGreaterThan(result.queries[1]!.latencyMs)
    expect(fake.requests).toHaveLength(5 + 3)
  })

  it('gives up after maxRetries, and at once on a status a retry cannot fix, without revealing the key', async () => {
    const fake = await start({
      answer: untidyModel,
      intercept: (query) => (query.startsWith('always busy')
        ? { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '0' } }
        : { status: 401, body: { error: { message: 'invalid api key' } } }),
    })
    const request = (query: string) => createChatCompletion(endpoint(fake), { messages: [{ role: 'user', content: query }], temperature: 0, maxTokens: 8 }, options({ maxRetries: 2 }))
    const busy = await request('always busy').catch((error: unknown) => error)
    expect(busy).toBeInstanceOf(ChatCompletionError)
    expect(busy).toMatchObject({ status: 429, attempts: 3, message: expect.stringMatching(/failed after 3 attempts; last: HTTP 429/) })
    const unauthorised = await request('hello').catch((error: unknown) => error)
    expect(unauthorised).toMatchObject({ status: 401, attempts: 1, message: expect.stringContaining('invalid api key') })
    for (const error of [busy, unauthorised]) expect(String(error)).not.toContain('sk-test-secret')
  })

  it('redacts PII from an error body that quotes the prompt, and from the records it stores', async () => {
    const message = 'card 4111 1111 1111 1111 declined, reach me at jane.doe@example.com'
    const fake = await start({ answer: (query) => `You said: ${query}`, intercept: (query, call) => (call === 1 && query.startsWith('quote')
      ? { status: 400, body: { error: { message: `cannot process "${query}"` } } } : undefined) })
    const failed = await createChatCompletion(endpoint(fake), { messages: [{ role: 'user', content: `quote ${message}` }], temperature: 0, maxTokens: 8 }, options())
      .catch((error: unknown) => error)
    expect(failed).toMatchObject({ status: 400, message: expect.stringContaining('cannot process \\"quote card [CARD] declined, reach me at [EMAIL]\\"') })

    const piiTest = [{ text: message, label: 'card_arrival' }]
    const result = await queryLlmApi({ endpoint: endpoint(fake), labels, train, test: piiTest, seed: 1, options: options({ fewShotLabels: 1, examplesPerLabel: 1 }) })
    expect(result.queries[0]!.text).toBe(message)
    const [stored] = queryRecordsForStorage(result.queries)
    expect(stored).toMatchObject({ text: 'card [CARD] declined, reach me at [EMAIL]', answer: 'You said: card [CARD] declined, reach me at [EMAIL]', label: 'card_arrival' })
  })

  it('retries a request that outlives its timeout', async () => {
    const fake = await start({ answer: untidyModel, delayMs: 300 })
    const error = await createChatCompletion(endpoint(fake), { messages: [{ role: 'user', content: 'card' }], temperature: 0, maxTokens: 8 }, options({ maxRetries: 1, requestTimeoutMs: 50 }))
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ attempts: 2, message: expect.stringContaining('TimeoutError') })
  })

  it('asks for a JSON object constrained to the labels with response_format json_schema', async () => {
    const fake = await start({ answer: (query) => JSON.stringify({ label: query.includes('card') ? 'card_arrival' : 'top_up' }) })
    const result = await queryLlmApi({ endpoint: endpoint(fake), labels, train, test: test.slice(0, 3), seed: 1, options: options({ responseFormat: 'json_schema', fewShotLabels: 1, examplesPerLabel: 1 }) })
    expect(result.queries.map((query) => query.predicted)).toEqual(['card_arrival', 'top_up', 'top_up'])
    expect(fake.requests[0]!.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true, schema: { properties: { label: { enum: labels } } } } })
    // The worked examples answer in the same JSON form.
    expect(JSON.parse(fake.requests[0]!.body.messages[2]!.content)).toHaveProperty('label')
  })

  it('leaves tokens it was not told about out of the totals, and gives no cost without prices', async () => {
    const fake = await start({ answer: untidyModel, omitUsage: true })
    const result = await queryLlmApi({ endpoint: endpoint(fake), labels, train, test, seed: 1, options: options() })
    expect(result.usage).toEqual({ promptTokens: 0, completionTokens: 0, queriesWithoutUsage: 5, costUsd: null })
  })
})

describe('llmEndpointFromEnv (the skip path)', () => {
  const configured = { BANKBENCH_LLM_BASE_URL: 'https://api.example.com/v1/', BANKBENCH_LLM_API_KEY: 'sk-x', BANKBENCH_LLM_MODEL: 'small', BANKBENCH_LLM_SEND_CUSTOMER_TEXT: '1' }

  it('reads the endpoint, trimming the trailing slash; the run may name another model', () => {
    expect(llmEndpointFromEnv(configured)).toEqual({ baseUrl: 'https://api.example.com/v1', apiKey: 'sk-x', model: 'small', customerTextAllowed: true })
    expect(llmEndpointFromEnv(configured, 'large')).toMatchObject({ model: 'large' })
  })

  it('says which variables are missing; the secret placeholder "unset" counts as missing', () => {
    expect(llmEndpointFromEnv({})).toEqual({ skipped: 'no LLM endpoint configured: BANKBENCH_LLM_BASE_URL, BANKBENCH_LLM_API_KEY, BANKBENCH_LLM_MODEL are not set in the job\'s environment' })
    expect(llmEndpointFromEnv({ ...configured, BANKBENCH_LLM_API_KEY: 'unset' })).toEqual({ skipped: 'no LLM endpoint configured: BANKBENCH_LLM_API_KEY is not set in the job\'s environment' })
  })

  it('skips, naming the opt-in, unless BANKBENCH_LLM_SEND_CUSTOMER_TEXT is 1 or true: a configured endpoint alone sends no customer text', () => {
    const { BANKBENCH_LLM_SEND_CUSTOMER_TEXT: _, ...withoutOptIn } = configured
    for (const env of [withoutOptIn, { ...configured, BANKBENCH_LLM_SEND_CUSTOMER_TEXT: '' }, { ...configured, BANKBENCH_LLM_SEND_CUSTOMER_TEXT: '0' }, { ...configured, BANKBENCH_LLM_SEND_CUSTOMER_TEXT: 'no' }]) {
      const result = llmEndpointFromEnv(env)
      expect(result).toEqual({ skipped: expect.stringContaining('set BANKBENCH_LLM_SEND_CUSTOMER_TEXT=1 in the job\'s environment') })
      expect(JSON.stringify(result)).not.toContain('sk-x')
    }
    expect(llmEndpointFromEnv({ ...configured, BANKBENCH_LLM_SEND_CUSTOMER_TEXT: 'no' })).toEqual({ skipped: expect.stringContaining('(it is "no", which is not 1 or true)') })
    expect(llmEndpointFromEnv({ ...configured, BANKBENCH_LLM_SEND_CUSTOMER_TEXT: ' TRUE ' })).toMatchObject({ customerTextAllowed: true })
  })
})

describe('the customer-text opt-in where requests are sent', () => {
  it('refuses an endpoint built without the opt-in before sending anything', async () => {
    const fake = await start({ answer: untidyModel })
    const withoutOptIn = { baseUrl: fake.baseUrl, apiKey: 'sk-test-secret', model: 'fake-model' } as unknown as LlmEndpoint
    await expect(queryLlmApi({ endpoint: withoutOptIn, labels, train, test, seed: 1, options: options() })).rejects.toThrow(/nothing was sent: .*BANKBENCH_LLM_SEND_CUSTOMER_TEXT=1/)
    await expect(createChatCompletion({ ...withoutOptIn, customerTextAllowed: false } as unknown as LlmEndpoint, { messages: [{ role: 'user', content: 'card 4111 1111 1111 1111' }], temperature: 0, maxTokens: 8 }, options()))
      .rejects.toBeInstanceOf(ChatCompletionError)
    expect(fake.requests).toHaveLength(0)
  })
})

describe('llmApiOptionsFromHyperparameters', () => {
  it('maps the edge names onto the defaults and refuses unknown ones', () => {
    expect(llmApiOptionsFromHyperparameters({ max_queries: 50, price_per_1k_input_tokens: 0.15, response_format: 'json_schema' }))
      .toEqual({ ...DEFAULT_LLM_API_OPTIONS, maxQueries: 50, pricePer1kInputTokens: 0.15, responseFormat: 'json_schema' })
    expect(() => llmApiOptionsFromHyperparameters({ base_url: 'https://elsewhere' })).toThrow(/no hyperparameter "base_url"/)
  })
})
