import { describe, expect, it } from 'vitest'
import { areaUnderCurve, labelsToReach, spread, summarizeCurves } from './curve'

const round = (labels: number, accuracy: number) => ({ round: 0, labels, accuracy, macroF1: accuracy, selectionSeconds: 1, trainSeconds: 1 })

describe('learning-curve figures', () => {
  it('area under the curve is the mean accuracy over the labels it spans', () => {
    expect(areaUnderCurve([round(0, 0.5), round(100, 0.5)])).toBeCloseTo(0.5)
    // A line from 0 to 1 over [0, 100], then flat at 1 over [100, 300]: (50 + 200) / 300.
    expect(areaUnderCurve([round(0, 0), round(100, 1), round(300, 1)])).toBeCloseTo(250 / 300)
  })

  it('labels to reach a target are the first measured round at or above it', () => {
    const curve = [round(100, 0.5), round(200, 0.8), round(400, 0.79), round(800, 0.9)]
    expect(labelsToReach(curve, 0.8)).toBe(200)
    expect(labelsToReach(curve, 0.85)).toBe(800)
    expect(labelsToReach(curve, 0.95)).toBeNull()
  })

  it('spread is the mean and sample standard deviation', () => {
    expect(spread([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 })
    expect(spread([4])).toEqual({ mean: 4, std: 0, n: 1 })
  })

  it('summarises seeds per round, and counts the seeds that never reached the target', () => {
    const summary = summarizeCurves('margin', [[round(10, 0.5), round(20, 0.9)], [round(10, 0.7), round(20, 0.7)]], 0.8)
    expect(summary.curve[0]!.accuracy.mean).toBeCloseTo(0.6)
    expect(summary.labelsToTarget).toEqual([20, null])
    expect(summary.labelsToTargetSpread).toEqual({ mean: 20, std: 0, n: 1 })
    expect(() => summarizeCurves('margin', [[round(10, 0.5)], [round(11, 0.5)]], 0.8)).toThrow(/schedule/)
  })
})
