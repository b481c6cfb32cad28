/**
 * The few-shot prompt: a system message that lists every label and asks for the label
 * alone, then worked examples as earlier turns of the conversation (user: query,
 * assistant: label), then the query. The prefix is the same for every query, so
 * endpoints with prompt caching charge it once.
 */
import { seededShuffle } from '@bankbench/data'
import type { Example } from '../types'
import type { ChatMessage } from './chat-client'

export interface FewShotSelection {
  /** `examplesPerLabel` training examples for each of `fewShotLabels` labels drawn with the seed. */
  fewShotLabels: number
  examplesPerLabel: number
  seed: number
}

/** Picks the worked examples; labels with fewer training examples give what they have. */
export function selectFewShotExamples(train: readonly Example[], labels: readonly string[], selection: FewShotSelection): Example[] {
  const chosenLabels = seededShuffle(labels, selection.seed).slice(0, selection.fewShotLabels)
  const shuffled = seededShuffle(train, selection.seed + 1)
  const shots = chosenLabels.flatMap((label) => shuffled.filter((example) => example.label === label).slice(0, selection.examplesPerLabel))
  // Interleave labels rather than grouping them, so that no label is simply "the last one shown".
  return seededShuffle(shots, selection.seed + 2)
}

export function systemPrompt(labels: readonly string[], responseFormat: 'text' | 'json_schema'): string {
  const answer = responseFormat === 'json_schema'
    ? 'Answer with a JSON object {"label": "<label>"} and nothing else.'
    : 'Answer with the label only, exactly as written in the list, and nothing else.'
  return [
    'You classify customer messages to a bank into exactly one intent.',
    `The intents are: ${labels.join(', ')}.`,
    answer,
  ].join('\n')
}

export function chatMessages(system: string, shots: readonly Example[], query: string, responseFormat: 'text' | 'json_schema'): ChatMessage[] {
  const answerFor = (label: string) => (responseFormat === 'json_schema' ? JSON.stringify({ label }) : label)
  return [
    { role: 'system', content: system },
    ...shots.flatMap((shot): ChatMessage[] => [{ role: 'user', content: shot.text }, { role: 'assistant', content: answerFor(shot.label) }]),
    { role: 'user', content: query },
  ]
}

/** OpenAI's structured-outputs `response_format`: the answer must be one of the labels. */
export function labelResponseFormat(labels: readonly string[]): Record<string, unknown> {
  return {
    type: 'json_schema',
    json_schema: {
      name: 'intent',
      strict: true,
      schema: { type: 'object', properties: { label: { type: 'string', enum: labels } }, required: ['label'], additionalProperties: false },
    },
  }
}
