import { describe, expect, it } from 'vitest'
import { baldScore } from './bald'
import { selectBatch } from './registry'

describe('bald', () => {
  // Row 0: every dropout sample flat (noise, nothing to learn); row 1: samples confident but
  // disagreeing (the same flat mean); row 2: samples agree and are confident.
  const samples = [
    Float32Array.from([0.5, 0.5, 0.9, 0.1, 0.95, 0.05]),
    Float32Array.from([0.5, 0.5, 0.1, 0.9, 0.95, 0.05]),
  ]
  const pool = { size: 3, classCount: 2, dropoutSamples: samples }

  it('prefers the row where dropout samples disagree over one where they agree on a flat distribution', () => {
    expect(selectBatch('bald', { pool, labeled: new Uint8Array(3), batchSize: 1, seed: 0 })).toEqual([1])
    expect(selectBatch('bald', { pool, labeled: new Uint8Array(3), batchSize: 3, seed: 0 })).toEqual([1, 0, 2])
  })

  it('scores the mutual information H(mean) - mean H', () => {
    const h = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p))
    expect(baldScore(samples, 2, 1)).toBeCloseTo(Math.log(2) - h(0.9), 6)
    expect(baldScore(samples, 2, 0)).toBeCloseTo(0, 6)
    expect(baldScore(samples, 2, 2)).toBeCloseTo(0, 6)
  })

  it('refuses a single sample: no disagreement can be measured', () => {
    expect(() => selectBatch('bald', { pool: { ...pool, dropoutSamples: [samples[0]!] }, labeled: new Uint8Array(3), batchSize: 1, seed: 0 })).toThrow(/at least 2/)
  })
})
