import { describe, expect, it } from 'vitest'
import { classificationReport } from './classification'

describe('classificationReport', () => {
  // Hand-computed: a is right 2/3 times, b is predicted 3 times but right once,
  // c is never predicted (precision, recall and F1 all 0 with zero_division=0).
  const labels = ['a', 'b', 'c']
  const actual = ['a', 'a', 'a', 'b', 'b', 'c']
  const predicted = ['a', 'a', 'b', 'b', 'a', 'b']
  const report = classificationReport(actual, predicted, labels)

  it('computes accuracy and per-label precision, recall, F1 and support', () => {
    expect(report.accuracy).toBe(0.5)
    expect(report.perLabel).toEqual([
      { label: 'a', precision: 2 / 3, recall: 2 / 3, f1: expect.closeTo(2 / 3, 12), support: 3 },
      { label: 'b', precision: 1 / 3, recall: 1 / 2, f1: expect.closeTo(0.4, 12), support: 2 },
      { label: 'c', precision: 0, recall: 0, f1: 0, support: 1 },
    ])
  })

  it('macro-averages over every label, counting a never-predicted label as 0', () => {
    expect(report.macroPrecision).toBeCloseTo(1 / 3, 12)
    expect(report.macroRecall).toBeCloseTo(7 / 18, 12)
    expect(report.macroF1).toBeCloseTo((2 / 3 + 0.4 + 0) / 3, 12)
  })

  it('lists only the non-zero confusion cells', () => {
    expect(report.confusion).toEqual([
      { actual: 'a', predicted: 'a', count: 2 },
      { actual: 'a', predicted: 'b', count: 1 },
      { actual: 'b', predicted: 'a', count: 1 },
      { actual: 'b', predicted: 'b', count: 1 },
      { actual: 'c', predicted: 'b', count: 1 },
    ])
  })

  it('gives a label absent from both lists zero scores and zero support', () => {
    const withUnused = classificationReport(['a', 'b'], ['a', 'b'], ['a', 'b', 'unused'])
    expect(withUnused.accuracy).toBe(1)
    expect(withUnused.perLabel[2]).toEqual({ label: 'unused', precision: 0, recall: 0, f1: 0, support: 0 })
    expect(withUnused.macroF1).toBeCloseTo(2 / 3, 12)
  })

  it('rejects mismatched lengths and unknown labels', () => {
    expect(() => classificationReport(['a'], [], labels)).toThrow(/1 true labels but 0 predictions/)
    expect(() => classificationReport(['a'], ['z'], labels)).toThrow(/"z" is not one of the 3 labels/)
  })
})
