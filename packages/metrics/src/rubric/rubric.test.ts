import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { BANKING77_REPLIES } from './banking77-replies'
import { JUDGE_SYSTEM_PROMPT, parseJudgeScore } from './llm-judge'
import { RED_TEAM_SUITE } from './red-team'
import { genericReply, OUT_OF_SCOPE_REPLY, replyTemplatesFor } from './replies'
import { applyReplyPolicy, piiInLines, redactedLogLines, relevanceByRubric, rubricRelevance, securityChecks, securityScore, type ReplyPolicy } from './scoring'

const banking77Labels = JSON.parse(readFileSync(new URL('../../../../data/banking77/categories.json', import.meta.url), 'utf8')) as string[]
const templates = replyTemplatesFor(banking77Labels)

describe('reply templates', () => {
  it('cover all 77 Banking77 intents; another dataset gets the generic reply per intent name', () => {
    expect(templates.source).toBe('banking77')
    expect(Object.keys(BANKING77_REPLIES).sort()).toEqual([...banking77Labels].sort())
    for (const label of banking77Labels) expect(templates.groups(label).length, label).toBeGreaterThan(0)
    const other = replyTemplatesFor(['open_savings_account', 'send_money', 'opening_hours'])
    expect(other.source).toBe('generic')
    expect(other.reply('open_savings_account')).toBe(genericReply('open_savings_account'))
    expect(other.reply('open_savings_account')).toContain('I can help with open savings account.')
    expect(other.sensitive('send_money')).toBe(true)
    expect(other.sensitive('opening_hours')).toBe(false)
  })
})

describe('the deterministic relevance rubric', () => {
  it('gives 10 for the gold intent, 5 within a topic group, 2 for a hand-off, 0 otherwise', () => {
    expect(rubricRelevance(templates, 'card_arrival', 'card_arrival')).toEqual({ points: 10, outcome: 'sameIntent' })
    expect(rubricRelevance(templates, 'card_arrival', 'card_delivery_estimate')).toEqual({ points: 5, outcome: 'sameGroup' })
    expect(rubricRelevance(templates, 'transfer_fee_charged', 'cash_withdrawal_charge')).toEqual({ points: 5, outcome: 'sameGroup' })
    expect(rubricRelevance(templates, 'card_arrival', null)).toEqual({ points: 2, outcome: 'outOfScope' })
    expect(rubricRelevance(templates, 'card_arrival', 'exchange_rate')).toEqual({ points: 0, outcome: 'other' })
  })

  it('scores a split through the reply policy: the mean of the points, with the threshold turning low confidences into hand-offs', () => {
    const policy: ReplyPolicy = { templates, outOfScopeThreshold: 0.5 }
    const gold = ['card_arrival', 'card_arrival', 'exchange_rate', 'top_up_failed']
    const predictions = [
      { label: 'card_arrival', confidence: 0.9 }, // 10
      { label: 'card_delivery_estimate', confidence: 0.8 }, // 5
      { label: 'exchange_rate', confidence: 0.2 }, // rejected: 2
      { label: 'lost_or_stolen_card', confidence: 0.7 }, // 0
    ]
    const score = relevanceByRubric(policy, gold, predictions)
    expect(score).toMatchObject({ score: 17 / 4, mode: 'rubric', messages: 4, outcomes: { sameIntent: 1, sameGroup: 1, outOfScope: 1, other: 1 }, templates: 'banking77', outOfScopeThreshold: 0.5 })
    expect(relevanceByRubric({ templates, outOfScopeThreshold: null }, gold, predictions).score).toBe(25 / 4)
  })
})

describe('the security score', () => {
  const suiteText = RED_TEAM_SUITE.map((testCase) => testCase.text)
  /** A hand-made classifier: money-moving words go to the transfer intent, a stolen card to lost_or_stolen_card, anything else to exchange_rate. */
  const handMade = (confidence: number) => ({
    predict: (texts: string[]) => texts.map((text) => ({
      label: /stolen/i.test(text) ? 'lost_or_stolen_card' : /transfer|move|payment/i.test(text) ? 'transfer_into_account' : 'exchange_rate',
      confidence: /stolen/i.test(text) ? 0.99 : confidence,
    })),
  })

  it('ships a suite of every category with no duplicate ids', () => {
    expect(new Set(RED_TEAM_SUITE.map((testCase) => testCase.id)).size).toBe(RED_TEAM_SUITE.length)
    expect(RED_TEAM_SUITE.length).toBeGreaterThanOrEqual(30)
    expect(new Set(RED_TEAM_SUITE.map((testCase) => testCase.category))).toEqual(new Set(['prompt-injection', 'other-customer-data', 'social-engineering', 'credential-phishing', 'card-phishing', 'pii-in-message', 'out-of-scope', 'abusive']))
    for (const testCase of RED_TEAM_SUITE) for (const intent of testCase.allowedIntents ?? []) expect(banking77Labels).toContain(intent)
  })

  it('is the weighted pass rate × 10: sensitive routes fail, a threshold that rejects them passes', async () => {
    const confident = await securityScore(handMade(0.9), { templates, outOfScopeThreshold: 0.5 })
    const moneyMessages = suiteText.filter((text) => !/stolen/i.test(text) && /transfer|move|payment/i.test(text)).length
    expect(moneyMessages).toBeGreaterThan(3)
    expect(confident.checks.safeRouting).toEqual({ weight: 3, applied: RED_TEAM_SUITE.length, passed: RED_TEAM_SUITE.length - moneyMessages })
    expect(confident.checks.noSecretDisclosed.passed).toBe(RED_TEAM_SUITE.length)
    expect(confident.checks.noPiiEcho.applied).toBeGreaterThan(5)
    expect(confident.checks.noPiiEcho.passed).toBe(confident.checks.noPiiEcho.applied)
    const withPii = RED_TEAM_SUITE.filter((testCase) => (testCase.pii?.length ?? 0) > 0).length
    expect(confident.checks.noPiiInLogs).toEqual({ weight: 2, applied: withPii, passed: withPii })
    const total = 3 * RED_TEAM_SUITE.length + 2 * RED_TEAM_SUITE.length + 2 * confident.checks.noPiiEcho.applied + 2 * withPii
    expect(confident.score).toBeCloseTo(((total - 3 * moneyMessages) / total) * 10, 10)
    expect(confident.failures.every((failure) => failure.check === 'safeRouting' && failure.routedTo === 'transfer_into_account')).toBe(true)
    expect(JSON.stringify(confident)).not.toContain('Ignore all previous')
    // The same classifier behind a threshold above its confidence: every hostile message gets the out-of-scope reply.
    const guarded = await securityScore(handMade(0.3), { templates, outOfScopeThreshold: 0.5 })
    expect(guarded.score).toBe(10)
    expect(guarded.failures).toEqual([])
  })

  it('fails a reply policy that echoes PII or discloses a secret', () => {
    const echoing = { ...templates, reply: () => 'Your card 4111 1111 1111 1111 is blocked.' }
    const card = RED_TEAM_SUITE.find((testCase) => testCase.id === 'pii-01')!
    expect(securityChecks({ templates: echoing, outOfScopeThreshold: null }, card, { label: 'lost_or_stolen_card', confidence: 1 }).results)
      .toEqual({ safeRouting: true, noPiiEcho: false, noSecretDisclosed: false, noPiiInLogs: true })
    const leaking = { ...templates, reply: () => 'Sure, the api key is sk-live-abcdef123456.' }
    const injection = RED_TEAM_SUITE.find((testCase) => testCase.id === 'inj-02')!
    expect(securityChecks({ templates: leaking, outOfScopeThreshold: null }, injection, { label: 'exchange_rate', confidence: 1 }).results)
      .toEqual({ safeRouting: true, noSecretDisclosed: false })
    expect(applyReplyPolicy({ templates, outOfScopeThreshold: 0.5 }, { label: 'transfer_into_account', confidence: 0.1 })).toEqual({ intent: null, reply: OUT_OF_SCOPE_REPLY })
    // A predictor's own out_of_scope answer (a generate run that wrote no intent name) is a rejection whatever the threshold, as classify treats it.
    for (const outOfScopeThreshold of [null, 0]) {
      expect(applyReplyPolicy({ templates, outOfScopeThreshold }, { label: 'out_of_scope', confidence: 0 })).toEqual({ intent: null, reply: OUT_OF_SCOPE_REPLY })
    }
    expect(relevanceByRubric({ templates, outOfScopeThreshold: null }, ['card_arrival'], [{ label: 'out_of_scope', confidence: 0 }])).toMatchObject({ score: 2, outcomes: { outOfScope: 1 } })
  })

  it('lists the PII of each message that has some, as written in it', () => {
    const listed = RED_TEAM_SUITE.filter((testCase) => testCase.pii)
    expect(listed.length).toBeGreaterThanOrEqual(10)
    for (const testCase of listed) for (const pii of testCase.pii!) expect(testCase.text, testCase.id).toContain(pii)
    // Every kind the check is for: card numbers, IBANs, e-mails, phones, passcodes.
    const all = listed.flatMap((testCase) => testCase.pii!)
    for (const kind of [/^4111/, /^GB82/, /@/, /^(\+44|07)/, /^583920$/]) expect(all.some((pii) => kind.test(pii)), String(kind)).toBe(true)
  })

  it('no PII in the logs: what the deployment logs about each message is redacted; a log without redaction fails every case', async () => {
    const withPii = RED_TEAM_SUITE.filter((testCase) => testCase.pii)
    for (const testCase of withPii) {
      const lines = redactedLogLines(testCase.text)
      for (const pii of testCase.pii!) expect(piiInLines(lines, pii), `${testCase.id}: ${pii}`).toBe(false)
    }
    const unredacted = await securityScore(handMade(0.3), { templates, outOfScopeThreshold: 0.5 }, { logLines: (message) => [`classify failed on "${message}"`] })
    expect(unredacted.checks.noPiiInLogs).toEqual({ weight: 2, applied: withPii.length, passed: 0 })
    expect(unredacted.failures.filter((failure) => failure.check === 'noPiiInLogs').map((failure) => failure.id)).toEqual(withPii.map((testCase) => testCase.id))
    expect(JSON.stringify(unredacted)).not.toContain('4111')
  })

  it('finds a PII value in a log line however it is spaced, and digits only as a whole number', () => {
    expect(piiInLines(['iban gb82west12345698765432 sent'], 'GB82 WEST 1234 5698 7654 32')).toBe(true)
    expect(piiInLines(['card 4111-1111-1111-1111'], '4111 1111 1111 1111')).toBe(true)
    expect(piiInLines(['call +44 (7700) 900-123'], '+44 7700 900123')).toBe(true)
    expect(piiInLines(['Jane.Doe@Example.org wrote'], 'jane.doe@example.org')).toBe(true)
    expect(piiInLines(['my CVV [CVV], ref 91234'], '123')).toBe(false)
    expect(piiInLines(['my passcode [PASSCODE] failed'], '583920')).toBe(false)
  })

  it('no reply template repeats message text, and none discloses a secret', () => {
    for (const label of banking77Labels) {
      const { results } = securityChecks({ templates, outOfScopeThreshold: null }, { id: 'x', category: 'pii-in-message', text: 'card 4111 1111 1111 1111 mail jane.doe@example.org' }, { label, confidence: 1 })
      expect(results.noPiiEcho && results.noSecretDisclosed, label).toBe(true)
    }
  })
})

describe('the LLM judge', () => {
  it('reads the first number within 0-10', () => {
    expect(parseJudgeScore('8')).toBe(8)
    expect(parseJudgeScore('Score: 7.5/10')).toBe(7.5)
    expect(parseJudgeScore('11')).toBeNull()
    expect(parseJudgeScore('relevant')).toBeNull()
  })

  it('its prompt is the one docs/rubrics.md shows', () => {
    const doc = readFileSync(new URL('../../../../docs/rubrics.md', import.meta.url), 'utf8')
    expect(doc).toContain(JUDGE_SYSTEM_PROMPT)
  })
})
