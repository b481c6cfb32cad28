import { describe, expect, it } from 'vitest'
import { evaluateTagger } from './evaluate-tagger'

describe('evaluateTagger', () => {
  it('scores every test text, times batch-1 queries and measures throughput', async () => {
    // A real predictor: amounts written as digits followed by "pounds".
    const predictor = {
      calls: 0,
      predict(texts: string[]) {
        this.calls++
        return texts.map((text) => [...text.matchAll(/\d+ pounds/g)].map((match) => ({ type: 'amount', start: match.index, end: match.index + match[0].length })))
      },
    }
    const test = [
      { text: 'send 5 pounds', spans: [{ type: 'amount', start: 5, end: 13 }] },
      { text: 'send five pounds', spans: [{ type: 'amount', start: 5, end: 16 }] },
      { text: 'hello', spans: [] },
    ]
    const evaluation = await evaluateTagger(predictor, test, { latencySamples: 2, throughputBatchSize: 2 })
    // One of two gold spans found, nothing spurious: P 1, R 0.5, F1 2/3.
    expect(evaluation.report.microF1).toBeCloseTo(2 / 3, 12)
    expect(evaluation.latency.count).toBe(2)
    expect(evaluation.throughputPerSecond).toBeGreaterThan(0)
    // Two batches of at most 2 for throughput, then 2 single-text calls.
    expect(predictor.calls).toBe(4)
  })
})
