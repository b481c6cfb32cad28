import { describe, expect, it } from 'vitest'
import { klDivergence } from './contrastive'
import { selectBatch } from './registry'
import type { SelectionRequest } from '../types'

/** A pool of 2-d points with a class-probability row each, some labelled. */
function request(points: number[][], probabilities: number[][], labeled: number[], batchSize: number, seed = 0): SelectionRequest {
  const mask = new Uint8Array(points.length)
  for (const index of labeled) mask[index] = 1
  return {
    pool: { size: points.length, classCount: probabilities[0]!.length, probabilities: Float32Array.from(probabilities.flat()), embeddings: { dimension: 2, values: Float32Array.from(points.flat()) } },
    labeled: mask,
    batchSize,
    seed,
  }
}

const confidentA = [0.9, 0.1]
const confidentB = [0.1, 0.9]

describe('contrastive active learning (CAL)', () => {
  it('takes the candidate predicted unlike the labelled rows around it first', () => {
    // Two clusters, each labelled rows predicting their own class. Row 7 sits inside cluster A but is predicted B
    // (contrastive); rows 3 and 8 are predicted as their neighbours are; row 9 is half-way (moderately contrastive).
    const points = [[0, 1], [0.1, 1], [-0.1, 1], [0.05, 1], [10, 1], [10.1, 1], [9.9, 1], [0.02, 1], [10.05, 1], [1, 1]]
    const probabilities = [confidentA, confidentA, confidentA, confidentA, confidentB, confidentB, confidentB, confidentB, confidentB, [0.5, 0.5]]
    const labeled = [0, 1, 2, 4, 5, 6]
    const options = { metric: 'euclidean', neighbours: 3 }
    expect(selectBatch('contrastive', request(points, probabilities, labeled, 1), options)).toEqual([7])
    expect(selectBatch('contrastive', request(points, probabilities, labeled, 2), options)).toEqual([7, 9])
    // The rows predicted as their neighbours are score (near) zero: last.
    expect(selectBatch('contrastive', request(points, probabilities, labeled, 4), options).slice(2).sort()).toEqual([3, 8])
  })

  it('scores by the nearest labelled rows only: a disagreeing row far away does not count', () => {
    // Candidate 3 (predicted A) has two labelled neighbours predicting A nearby and one predicting B far off;
    // candidate 4 (predicted A) sits next to the B row. With k = 2 only candidate 4 contrasts.
    const points = [[0, 0], [0.1, 0], [50, 0], [0.05, 0], [49.9, 0]]
    const probabilities = [confidentA, confidentA, confidentB, confidentA, confidentA]
    expect(selectBatch('contrastive', request(points, probabilities, [0, 1, 2], 1), { metric: 'euclidean', neighbours: 2 })).toEqual([4])
  })

  it('is the mean KL divergence of the neighbours\' predictions from the candidate\'s, KL(neighbour ‖ candidate)', () => {
    expect(klDivergence([0.5, 0.5], [0.5, 0.5])).toBe(0)
    expect(klDivergence([0.9, 0.1], [0.1, 0.9])).toBeCloseTo(0.8 * Math.log(9), 10)
    // Asymmetric: a neighbour sure of class 0 against a candidate that gives it little mass costs more than the reverse.
    expect(klDivergence([0.99, 0.01], [0.5, 0.5])).toBeLessThan(klDivergence([0.5, 0.5], [0.99, 0.01]))
    // A hard 0 in the candidate stays finite.
    expect(Number.isFinite(klDivergence([0.5, 0.5], [1, 0]))).toBe(true)
    expect(klDivergence([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(2), 10)
  })

  it('with fewer labelled rows than k, contrasts with every labelled row', () => {
    // One labelled row predicting A; k = 10. Candidates predicted B, half-way and A score in that order.
    const points = [[0, 0], [1, 0], [2, 0], [3, 0]]
    const probabilities = [confidentA, confidentA, [0.5, 0.5], confidentB]
    expect(selectBatch('contrastive', request(points, probabilities, [0], 3), { metric: 'euclidean', neighbours: 10 })).toEqual([3, 2, 1])
  })

  it('breaks equal scores toward the lower index, and measures cosine distance by default', () => {
    // Cosine: rows 1 and 3 point the labelled row 0's way (whatever their length), row 2 the other labelled row's way.
    // Rows 1 and 3 both disagree with row 0 equally; row 2 agrees with its neighbour.
    const points = [[1, 0], [100, 0], [0, 1], [0.01, 0], [0, 5]]
    const probabilities = [confidentA, confidentB, confidentB, confidentB, confidentB]
    expect(selectBatch('contrastive', request(points, probabilities, [0, 4], 2), { neighbours: 1 })).toEqual([1, 3])
    expect(selectBatch('contrastive', request(points, probabilities, [0, 4], 3), { neighbours: 1 })).toEqual([1, 3, 2])
  })

  it('with nothing labelled, samples uniformly under the seed (nothing to contrast with)', () => {
    const points = Array.from({ length: 20 }, (_, i) => [i, 0])
    const probabilities = points.map(() => confidentA)
    const first = selectBatch('contrastive', request(points, probabilities, [], 5, 1))
    expect(selectBatch('contrastive', request(points, probabilities, [], 5, 1))).toEqual(first)
    expect(selectBatch('contrastive', request(points, probabilities, [], 5, 2))).not.toEqual(first)
  })

  it('refuses a k that is not a positive whole number', () => {
    expect(() => selectBatch('contrastive', request([[0, 0], [1, 0]], [confidentA, confidentB], [0], 1), { neighbours: 0 })).toThrow(/positive whole number of neighbours/)
  })
})
