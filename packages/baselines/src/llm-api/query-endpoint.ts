/**
 * The `llm-api` baseline's work: send a seeded sample of test queries, each with the
 * same few-shot prompt, to an OpenAI-compatible endpoint, map every answer to a label,
 * and account for tokens and dollars. Scoring is the caller's (the baseline job scores
 * it like every other run).
 */
import { redactPii, seededShuffle } from '@bankbench/data'
import type { Example } from '../types'
import { createChatCompletion } from './chat-client'
import { mapWithConcurrency } from './concurrency'
import { matchLabel, type LabelMatch } from './label-matching'
import type { LlmApiOptions, LlmEndpoint } from './options'
import { chatMessages, labelResponseFormat, selectFewShotExamples, systemPrompt } from './prompt'

export interface LlmApiQueryInput {
  endpoint: LlmEndpoint
  options: LlmApiOptions
  labels: string[]
  /** Where the few-shot examples come from. */
  train: readonly Example[]
  test: readonly Example[]
  seed: number
  signal?: AbortSignal
  /** Called as queries complete, with how many have. */
  onProgress?: (completed: number, total: number) => void
}

export interface LlmQueryRecord {
  /** Position in the test split. */
  testIndex: number
  text: string
  label: string
  answer: string
  /** The label the answer maps to; null when it maps to none (scored as wrong). */
  predicted: string | null
  match: LabelMatch['how']
  latencyMs: number
  totalMs: number
  attempts: number
  promptTokens: number | null
  completionTokens: number | null
}

export interface LlmUsage {
  promptTokens: number
  completionTokens: number
  /** Queries whose response carried no `usage`: the token totals leave them out. */
  queriesWithoutUsage: number
  /** null unless both prices are configured. */
  costUsd: number | null
}

export interface LlmApiQueryResult {
  queries: LlmQueryRecord[]
  /** Which test queries were sent: `testIndices` (ascending) out of `of`, drawn with `seed`. */
  subset: { seed: number; size: number; of: number; testIndices: number[] }
  fewShotExamples: number
  usage: LlmUsage
  /** From the first request to the last answer. */
  wallMs: number
}

export async function queryLlmApi(input: LlmApiQueryInput): Promise<LlmApiQueryResult> {
  const { endpoint, options, labels, seed } = input
  const testIndices = sampleTestIndices(input.test.length, options.maxQueries, seed)
  const shots = selectFewShotExamples(input.train, labels, { fewShotLabels: options.fewShotLabels, examplesPerLabel: options.examplesPerLabel, seed })
  const system = systemPrompt(labels, options.responseFormat)
  const responseFormat = options.responseFormat === 'json_schema' ? labelResponseFormat(labels) : undefined
  let completed = 0
  const started = performance.now()
  const queries = await mapWithConcurrency(testIndices, options.concurrency, async (testIndex): Promise<LlmQueryRecord> => {
    const { text, label } = input.test[testIndex]!
    const completion = await createChatCompletion(
      endpoint,
      { messages: chatMessages(system, shots, text, options.responseFormat), temperature: options.temperature, maxTokens: options.maxTokens, responseFormat },
      options,
      input.signal,
    )
    const match = matchLabel(completion.content, labels)
    input.onProgress?.(++completed, testIndices.length)
    return {
      testIndex, text, label,
      answer: completion.content,
      predicted: match.label,
      match: match.how,
      latencyMs: completion.latencyMs,
      totalMs: completion.totalMs,
      attempts: completion.attempts,
      promptTokens: completion.usage?.promptTokens ?? null,
      completionTokens: completion.usage?.completionTokens ?? null,
    }
  })
  return {
    queries,
    subset: { seed, size: testIndices.length, of: input.test.length, testIndices },
    fewShotExamples: shots.length,
    usage: usageOf(queries, options),
    wallMs: performance.now() - started,
  }
}

/** `maxQueries` test positions drawn uniformly with the seed, ascending; all of them when the split is smaller. */
export function sampleTestIndices(testSize: number, maxQueries: number, seed: number): number[] {
  const all = Array.from({ length: testSize }, (_, index) => index)
  if (maxQueries >= testSize) return all
  return seededShuffle(all, seed).slice(0, maxQueries).sort((left, right) => left - right)
}

export function usageOf(queries: readonly LlmQueryRecord[], prices: Pick<LlmApiOptions, 'pricePer1kInputTokens' | 'pricePer1kOutputTokens'>): LlmUsage {
  let promptTokens = 0
  let completionTokens = 0
  let queriesWithoutUsage = 0
  for (const query of queries) {
    if (query.promptTokens === null || query.completionTokens === null) queriesWithoutUsage++
    else {
      promptTokens += query.promptTokens
      completionTokens += query.completionTokens
    }
  }
  const { pricePer1kInputTokens: input, pricePer1kOutputTokens: output } = prices
  const costUsd = input === null || output === null ? null : (promptTokens / 1000) * input + (completionTokens / 1000) * output
  return { promptTokens, completionTokens, queriesWithoutUsage, costUsd }
}

/** The records as stored (queries.json): the message and the model's answer, which can repeat it, with PII redacted. */
export function queryRecordsForStorage(queries: readonly LlmQueryRecord[]): LlmQueryRecord[] {
  return queries.map((query) => ({ ...query, text: redactPii(query.text), answer: redactPii(query.answer) }))
}
