import { describe, expect, it } from 'vitest'
import { evaluateClassifier, evaluationSummary } from './evaluate-classifier'

const data = {
  labels: ['card', 'balance'],
  validation: [{ text: 'lost card', label: 'card' }, { text: 'my balance', label: 'balance' }],
  test: [{ text: 'card stolen', label: 'card' }, { text: 'balance please', label: 'balance' }, { text: 'card balance', label: 'balance' }],
}
/** Says "card" whenever the text mentions a card. */
const predictor = { predict: (texts: string[]) => texts.map((text) => ({ label: text.includes('card') ? 'card' : 'balance', confidence: 1 })) }

describe('evaluateClassifier', () => {
  it('scores test and validation, times single queries and reports the summary every run reports', async () => {
    const evaluation = await evaluateClassifier(predictor, data, { latencySamples: 2, throughputBatchSize: 2 })
    expect(evaluation.test.accuracy).toBeCloseTo(2 / 3)
    expect(evaluation.validation.accuracy).toBe(1)
    expect(evaluation.latency.count).toBe(2)
    expect(evaluation.throughputPerSecond).toBeGreaterThan(0)
    expect(evaluationSummary(evaluation)).toMatchObject({ accuracy: evaluation.test.accuracy, validationAccuracy: 1, macroF1: evaluation.test.macroF1 })
  })
})
