import { describe, expect, it } from 'vitest'
import { selectBatch } from './registry'

describe('random', () => {
  it('is uniform over the unlabelled rows and never picks a labelled one', () => {
    const size = 20
    const labeled = new Uint8Array(size)
    for (const index of [0, 5, 10, 15, 19]) labeled[index] = 1
    const counts = new Array<number>(size).fill(0)
    const draws = 3000
    for (let seed = 0; seed < draws; seed++) {
      for (const index of selectBatch('random', { pool: { size, classCount: 2 }, labeled, batchSize: 3, seed })) counts[index]!++
    }
    const expected = (draws * 3) / 15
    // Chi-squared over 15 cells, 14 degrees of freedom: 36.1 is the 0.1% critical value.
    const chiSquared = counts.reduce((sum, count, index) => (labeled[index] ? sum : sum + (count - expected) ** 2 / expected), 0)
    expect(counts.filter((_, index) => labeled[index])).toEqual([0, 0, 0, 0, 0])
    expect(chiSquared).toBeLessThan(36.1)
  })

  it('is a pure function of its seed', () => {
    const request = { pool: { size: 100, classCount: 2 }, labeled: new Uint8Array(100), batchSize: 10, seed: 7 }
    expect(selectBatch('random', request)).toEqual(selectBatch('random', request))
    expect(selectBatch('random', request)).not.toEqual(selectBatch('random', { ...request, seed: 8 }))
  })
})
