import { describe, expect, it } from 'vitest'
import { calibrateThreshold, measureThreshold } from './calibration'

describe('calibrateThreshold', () => {
  const correct = Array.from({ length: 20 }, (_, index) => ({ confidence: 0.5 + index * 0.025, correct: true }))
  const wrong = [0.3, 0.55, 0.9].map((confidence) => ({ confidence, correct: false }))

  it('picks the highest threshold that rejects at most the target share of correct predictions', () => {
    const calibration = calibrateThreshold([...correct, ...wrong], 0.05)
    // 5% of 20 correct examples: the least confident one (0.5) may be rejected, so t is the next (0.525).
    expect(calibration.threshold).toBeCloseTo(0.525)
    expect(calibration.falseRejectRate).toBe(0.05)
    expect(calibration.falseAcceptRate).toBeCloseTo(2 / 3)
    expect(calibration.validationAccuracy).toBeCloseTo(20 / 23)
  })

  it('reports the trade-off curve from accepting everything to rejecting everything', () => {
    const { curve } = calibrateThreshold([...correct, ...wrong], 0.05)
    expect(curve[0]).toEqual({ threshold: 0, falseRejectRate: 0, falseAcceptRate: 1 })
    expect(curve.at(-1)!.falseAcceptRate).toBe(0)
    expect(curve.at(-1)!.falseRejectRate).toBe(1)
  })

  it('has no false-accept rate when every example is right', () => {
    expect(calibrateThreshold(correct, 0).falseAcceptRate).toBeNull()
    expect(calibrateThreshold(correct, 0).threshold).toBe(0.5)
  })

  it('without out-of-scope messages stands misclassified ones in for them, and says so', () => {
    const calibration = calibrateThreshold([...correct, ...wrong], 0.05)
    expect(calibration).toMatchObject({ basis: 'misclassified-examples', outOfScopeExamples: 0, outOfScopeRecall: null })
    expect(calibration.assumption).toContain('misclassified')
  })
})

describe('calibrateThreshold on out-of-scope examples', () => {
  // 20 in-scope messages (two of them misclassified, with confidence 0.6 and 0.95), 10 out-of-scope ones.
  const inScope = Array.from({ length: 20 }, (_, index) => ({ confidence: 0.5 + index * 0.025, correct: index !== 4 && index !== 18 }))
  const outOfScope = [0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.8, 0.99]

  it('accepts every in-scope message and rejects the out-of-scope ones: the target bounds in-scope messages rejected', () => {
    const calibration = calibrateThreshold(inScope, 0.1, outOfScope)
    // 10% of 20 in-scope messages may be rejected: the two least confident (0.5, 0.525); t is the third (0.55).
    expect(calibration.threshold).toBeCloseTo(0.55)
    expect(calibration).toMatchObject({ basis: 'out-of-scope-examples', falseRejectRate: 0.1, validationExamples: 20, outOfScopeExamples: 10 })
    expect(calibration.validationAccuracy).toBeCloseTo(18 / 20)
    // Rejected: the 7 out-of-scope messages under 0.55; accepted: 0.55, 0.8, 0.99.
    expect(calibration.outOfScopeRecall).toBeCloseTo(0.7)
    expect(calibration.falseAcceptRate).toBeCloseTo(0.3)
    expect(calibration.assumption).toContain('out_of_scope')
    expect(calibration.curve[0]).toEqual({ threshold: 0, falseRejectRate: 0, falseAcceptRate: 1 })
  })
})

describe('measureThreshold', () => {
  it('measures a threshold on the test split the way the calibration counted', () => {
    const inScope = [0.2, 0.6, 0.7, 0.9].map((confidence, index) => ({ confidence, correct: index !== 2 }))
    expect(measureThreshold(inScope, [0.1, 0.3, 0.65], 0.5, 'out-of-scope-examples')).toEqual({
      split: 'test', threshold: 0.5, basis: 'out-of-scope-examples', inScopeExamples: 4, falseRejectRate: 0.25, outOfScopeExamples: 3, outOfScopeRecall: 2 / 3, falseAcceptRate: 1 / 3,
    })
    // Without out-of-scope messages: false rejects among the correct predictions, false accepts among the wrong ones.
    expect(measureThreshold(inScope, [], 0.75, 'misclassified-examples')).toMatchObject({ falseRejectRate: 2 / 3, outOfScopeRecall: null, falseAcceptRate: 0 })
  })
})
