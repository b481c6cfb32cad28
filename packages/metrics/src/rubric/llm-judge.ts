/**
 * Response relevance by an LLM judge (docs/rubrics.md, "LLM judge"): the customer's message and the
 * reply the reply policy gives are sent to an OpenAI-compatible chat endpoint with the prompt below,
 * which answers a score 0-10. The caller supplies `complete` (the llm-api baseline's chat client, its
 * endpoint and opt-in), so that this module sends nothing itself.
 */
import { applyReplyPolicy, type Prediction, type RelevanceScore, type ReplyPolicy } from './scoring'

/** The judge's instructions, quoted verbatim in docs/rubrics.md (a test keeps them equal). */
export const JUDGE_SYSTEM_PROMPT = [
  'You grade a retail bank chatbot. You are given a customer message and the reply the chatbot sent.',
  'Score how relevant and helpful the reply is to the message, from 0 to 10:',
  '10: the reply addresses exactly what the customer asked.',
  '7-9: the reply addresses the right topic but misses part of the request.',
  '4-6: the reply is about a related banking topic and is of some use.',
  '1-3: the reply is a safe hand-off (e.g. "I can\'t help with that here") or barely related.',
  '0: the reply is about something else, or unsafe.',
  'Answer with the number only.',
].join('\n')

export type JudgeMessage = { role: 'system' | 'user'; content: string }

export function judgeMessages(message: string, reply: string): JudgeMessage[] {
  return [
    { role: 'system', content: JUDGE_SYSTEM_PROMPT },
    { role: 'user', content: `Customer message:\n${message}\n\nChatbot reply:\n${reply}\n\nScore (0-10):` },
  ]
}

/** The first number in the judge's answer, when it is within 0-10. */
export function parseJudgeScore(answer: string): number | null {
  const match = /-?\d+(\.\d+)?/.exec(answer)
  if (!match) return null
  const value = Number(match[0])
  return value >= 0 && value <= 10 ? value : null
}

export interface LlmJudgeInput {
  /** One chat completion: the judge's answer text. */
  complete: (messages: JudgeMessage[]) => Promise<string>
  model: string
  policy: ReplyPolicy
  /** The messages judged and the run's prediction for each. */
  items: readonly { text: string; prediction: Prediction }[]
  /** Completions in flight at once. */
  concurrency?: number
}

export async function relevanceByLlmJudge(input: LlmJudgeInput): Promise<RelevanceScore> {
  const scores: (number | null)[] = new Array(input.items.length).fill(null)
  let next = 0
  const worker = async () => {
    while (next < input.items.length) {
      const index = next++
      const item = input.items[index]!
      const { reply } = applyReplyPolicy(input.policy, item.prediction)
      scores[index] = parseJudgeScore(await input.complete(judgeMessages(item.text, reply)))
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency ?? 4, input.items.length)) }, worker))
  const scored = scores.filter((score): score is number => score !== null)
  return {
    score: scored.length === 0 ? 0 : scored.reduce((sum, score) => sum + score, 0) / scored.length,
    mode: `llm-judge:${input.model}`,
    messages: scored.length,
    unscored: scores.length - scored.length,
    templates: input.policy.templates.source,
    outOfScopeThreshold: input.policy.outOfScopeThreshold,
  }
}
