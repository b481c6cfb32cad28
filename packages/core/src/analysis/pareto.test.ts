import { describe, expect, it } from 'vitest'
import { buildComparison } from './comparison'
import { paretoFront } from './pareto'
import { BENCHMARK, syntheticRun, trainSummary } from './testing/synthetic-runs'

const run = (trainSeconds: number, accuracy: number, status: 'succeeded' | 'failed' = 'succeeded') =>
  syntheticRun('lora', { trainSeconds }, status === 'succeeded' ? trainSummary({ trainSeconds, accuracy }) : null, { status })

describe('paretoFront', () => {
  it('keeps the runs nothing beats on both accuracy and cost, sorted by cost', () => {
    const cheap = run(100, 0.80)
    const balanced = run(200, 0.90)
    const dominated = run(300, 0.85) // slower and worse than balanced
    const best = run(400, 0.95)
    const slowerSameAccuracy = run(500, 0.95) // as accurate as best but slower: dominated
    const { runs } = buildComparison(BENCHMARK, [best, dominated, cheap, balanced, slowerSameAccuracy])
    const front = paretoFront(runs, 'trainSeconds')
    expect(front).toMatchObject({ x: 'trainSeconds', y: 'accuracy' })
    expect(front.points.map((point) => point.runId)).toEqual([cheap.id, balanced.id, best.id])
    expect(front.points[0]).toMatchObject({ x: 100, y: 0.8, method: 'lora' })
  })

  it('keeps every one of several identical runs (a tie dominates nothing)', () => {
    const a = run(100, 0.9)
    const b = run(100, 0.9)
    const sameCostWorse = run(100, 0.8)
    const { runs } = buildComparison(BENCHMARK, [a, b, sameCostWorse])
    expect(paretoFront(runs, 'trainSeconds').points.map((point) => point.runId)).toEqual([a.id, b.id])
  })

  it('leaves out runs that failed or lack the cost figure', () => {
    const measured = run(100, 0.9)
    const failed = run(50, 0.99, 'failed')
    const baseline = syntheticRun('majority', {}, { accuracy: 0.95 })
    const { runs } = buildComparison(BENCHMARK, [measured, failed, baseline])
    expect(paretoFront(runs, 'trainableParameters').points.map((point) => point.runId)).toEqual([measured.id])
  })
})
