import { describe, expect, it } from 'vitest'
import { calibrateThreshold } from './calibration'

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
})
