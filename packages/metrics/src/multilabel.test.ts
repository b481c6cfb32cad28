import { describe, expect, it } from 'vitest'
import { multiLabelReport } from './multilabel'

describe('multiLabelReport', () => {
  it('pools (text, label) decisions for micro-F1 (worked by hand)', () => {
    const gold = [['card', 'lost'], ['balance'], [], ['card']]
    const predicted = [['card'], ['balance', 'card'], ['lost'], ['card']]
    // True positives: card (text 0), balance, card (text 3) = 3; predicted labels 5; gold labels 4.
    // Micro precision 3/5, recall 3/4, F1 = 2·0.6·0.75/1.35 = 2/3.
    const report = multiLabelReport(gold, predicted, ['balance', 'card', 'lost'])
    expect(report.microPrecision).toBeCloseTo(0.6, 12)
    expect(report.microRecall).toBeCloseTo(0.75, 12)
    expect(report.microF1).toBeCloseTo(2 / 3, 12)
    // Per label: balance 1/1 → F1 1; card P 2/3 R 2/2 → 0.8; lost P 0/1 R 0/1 → 0. Macro (1 + 0.8 + 0) / 3.
    expect(report.perLabel.map((entry) => Number(entry.f1.toFixed(12)))).toEqual([1, 0.8, 0])
    expect(report.macroF1).toBeCloseTo(1.8 / 3, 12)
    // Only text 3 has exactly the gold set.
    expect(report.subsetAccuracy).toBe(0.25)
  })
})
