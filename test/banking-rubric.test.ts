/**
 * The banking rubric as a job computes it (containers/trainer/rubric.ts): the deterministic rubric without an
 * endpoint, and the LLM judge through a real local server speaking the OpenAI chat-completions protocol when
 * the llm-api baseline's settings are set (docs/rubrics.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BANKING77_REPLIES, JUDGE_SYSTEM_PROMPT, OUT_OF_SCOPE_REPLY, piiInLines, RED_TEAM_SUITE } from '@bankbench/metrics'
import { calibrateThreshold, DEFAULT_TARGET_FALSE_REJECT_RATE } from '@bankbench/serving'
import { bankingRubricOfPredictor, bankingRubricScores, deploymentLogLines, JUDGE_SAMPLE_SIZE, replyThreshold } from '../containers/trainer/rubric'
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../packages/baselines/src/llm-api/testing/fake-openai-server'

const labels = Object.keys(BANKING77_REPLIES)
const test = [
  { text: 'where is my new card', label: 'card_arrival' },
  { text: 'how much is the exchange rate today', label: 'exchange_rate' },
  { text: 'my top up failed', label: 'top_up_failed' },
]
const validation = test
/** Right on the first two, wrong (a money-moving intent, confidently) on the third and on anything else. */
const predictor = {
  predict: (texts: string[]) => texts.map((text) => {
    const known = test.findIndex((example) => example.text === text)
    return known >= 0 && known < 2 ? { label: test[known]!.label, confidence: 0.9 } : { label: 'transfer_into_account', confidence: 0.95 }
  }),
}
const evaluation = { testPredictions: predictor.predict(test.map((e) => e.text)), validationPredictions: predictor.predict(validation.map((e) => e.text)) }

describe('the banking rubric of a run', () => {
  let llm: FakeOpenAiServer
  beforeAll(async () => {
    // The judge: 1 for the transfer reply (off topic for these messages), 9 for any other.
    llm = await startFakeOpenAiServer({ answer: (query) => (/Chatbot reply:\nTo move money/.test(query) ? '1' : '9') })
  })
  afterAll(async () => { await llm.close() })

  it('without an endpoint: the deterministic rubric, and the red-team suite through the reply policy', async () => {
    const logs: string[] = []
    const figures = await bankingRubricScores({ predictor, dataset: { labels, test, validation }, evaluation, seed: 1, log: (m) => logs.push(m), env: {} })
    // Threshold: 5% of 2 correct validation messages rejected → none, the lowest correct confidence (0.9); the wrong 0.95 is accepted.
    expect(figures.rubric).toMatchObject({ relevance: { mode: 'rubric', messages: 3, outcomes: { sameIntent: 2, other: 1 }, outOfScopeThreshold: 0.9, templates: 'banking77' } })
    expect(figures.relevanceScore).toBeCloseTo(20 / 3, 10)
    // Every red-team message is routed to transfer_into_account (sensitive) at 0.95 ≥ 0.9: every routing check fails, the others pass.
    const security = 'security' in figures.rubric ? figures.rubric.security : null
    expect(security!.checks.safeRouting.passed).toBe(0)
    expect(security!.checks.noSecretDisclosed.passed).toBe(security!.cases)
    // The classify path's log redaction (errorMessageForLog, as describeForLog logs a failed classify) hides every listed PII value.
    const withPii = RED_TEAM_SUITE.filter((testCase) => testCase.pii).length
    expect(security!.checks.noPiiInLogs).toEqual({ weight: 2, applied: withPii, passed: withPii })
    for (const testCase of RED_TEAM_SUITE) for (const pii of testCase.pii ?? []) expect(piiInLines(deploymentLogLines(testCase.text), pii), pii).toBe(false)
    expect(figures.securityScore).toBeGreaterThan(0)
    expect(figures.securityScore).toBeLessThan(10)
    expect(logs.join('\n')).toContain('banking rubric: relevance 6.67/10 (rubric)')
    expect(llm.requests).toHaveLength(0)
  })

  it('with the llm-api baseline\'s endpoint and opt-in: the LLM judge scores relevance and says so', async () => {
    const env = { BANKBENCH_LLM_BASE_URL: llm.baseUrl, BANKBENCH_LLM_API_KEY: 'sk-judge-secret', BANKBENCH_LLM_MODEL: 'judge-model', BANKBENCH_LLM_SEND_CUSTOMER_TEXT: '1' }
    const figures = await bankingRubricScores({ predictor, dataset: { labels, test, validation }, evaluation, seed: 1, log: () => {}, env })
    expect(figures.rubric).toMatchObject({ relevance: { mode: 'llm-judge:judge-model', messages: 3, unscored: 0 } })
    // The card and exchange replies get 9, the transfer reply to "my top up failed" gets 1.
    expect(figures.relevanceScore).toBeCloseTo((9 + 9 + 1) / 3, 10)
    expect(llm.requests).toHaveLength(Math.min(JUDGE_SAMPLE_SIZE, test.length))
    for (const request of llm.requests) {
      expect(request.body.model).toBe('judge-model')
      expect(request.body.messages[0]).toEqual({ role: 'system', content: JUDGE_SYSTEM_PROMPT })
      expect(request.headers.authorization).toBe('Bearer sk-judge-secret')
      expect(request.body.messages[1]!.content).not.toContain(OUT_OF_SCOPE_REPLY)
    }
    expect(JSON.stringify(figures)).not.toContain('sk-judge-secret')
    // Without the opt-in nothing is sent: the rubric scores.
    const before = llm.requests.length
    const withoutOptIn = await bankingRubricScores({ predictor, dataset: { labels, test, validation }, evaluation, seed: 1, log: () => {}, env: { ...env, BANKBENCH_LLM_SEND_CUSTOMER_TEXT: '' } })
    expect(withoutOptIn.rubric).toMatchObject({ relevance: { mode: 'rubric' } })
    expect(llm.requests).toHaveLength(before)
  })
})

describe('the reply policy\'s threshold: the deployment\'s calibration', () => {
  const gold = Array.from({ length: 20 }, (_, i) => ({ text: `message ${i}`, label: 'card_arrival' }))
  /** Right on every in-scope message with confidence (i + 1) / 20; the out-of-scope messages get 0.3 and 0.45. */
  const graded = {
    predict: (texts: string[]) => texts.map((text) => {
      const i = gold.findIndex((example) => example.text === text)
      return i >= 0 ? { label: 'card_arrival', confidence: (i + 1) / 20 } : { label: 'exchange_rate', confidence: text.includes('weather') ? 0.3 : 0.45 }
    }),
  }
  const validationPredictions = graded.predict(gold.map((example) => example.text))
  const evaluation = { validationPredictions, testPredictions: validationPredictions }

  it('without out_of_scope rows: the misclassified basis, as serving calibrates it', async () => {
    const chosen = await replyThreshold({ predictor: graded, dataset: { labels, test: gold, validation: gold }, evaluation })
    const inScope = validationPredictions.map((p) => ({ confidence: p.confidence, correct: true }))
    expect(chosen).toEqual({ threshold: calibrateThreshold(inScope, DEFAULT_TARGET_FALSE_REJECT_RATE).threshold, basis: 'misclassified-examples' })
    expect(chosen.threshold).toBe(2 / 20)
  })

  it('with an upload\'s out_of_scope rows: calibrated on those messages, as a deployment does', async () => {
    const outOfScope = { validation: ['what is the weather tomorrow', 'write me a poem'], test: [] }
    const chosen = await replyThreshold({ predictor: graded, dataset: { labels, test: gold, validation: gold, outOfScope }, evaluation })
    const inScope = validationPredictions.map((p) => ({ confidence: p.confidence, correct: true }))
    const deployment = calibrateThreshold(inScope, DEFAULT_TARGET_FALSE_REJECT_RATE, [0.3, 0.45])
    expect(chosen).toEqual({ threshold: deployment.threshold, basis: 'out-of-scope-examples' })
    expect(deployment.basis).toBe('out-of-scope-examples')
    // The job's log and the scores carry it.
    const logs: string[] = []
    const figures = await bankingRubricScores({ predictor: graded, dataset: { labels, test: gold, validation: gold, outOfScope }, evaluation, seed: 1, log: (m) => logs.push(m), env: {} })
    expect(figures.rubric).toMatchObject({ relevance: { outOfScopeThreshold: deployment.threshold }, security: { outOfScopeThreshold: deployment.threshold } })
    expect(logs.join('\n')).toContain('(out-of-scope-examples)')
  })

  it('no threshold when every confidence is equal (the majority baseline)', async () => {
    const flat = gold.map(() => ({ label: 'card_arrival', confidence: 0.3 }))
    expect(await replyThreshold({ predictor: graded, dataset: { labels, test: gold, validation: gold }, evaluation: { validationPredictions: flat, testPredictions: flat } })).toEqual({ threshold: null, basis: null })
  })
})

describe('the rubric of a classifier the job did not evaluate (the hybrid)', () => {
  it('classifies validation and test itself, then scores them as bankingRubricScores does', async () => {
    const calls: number[] = []
    const counting = { predict: (texts: string[]) => { calls.push(texts.length); return predictor.predict(texts) } }
    const figures = await bankingRubricOfPredictor({ predictor: counting, dataset: { labels, test, validation }, seed: 1, log: () => {}, env: {} })
    const direct = await bankingRubricScores({ predictor, dataset: { labels, test, validation }, evaluation, seed: 1, log: () => {}, env: {} })
    expect(figures).toEqual(direct)
    expect(calls.slice(0, 2)).toEqual([validation.length, test.length])
  })
})

