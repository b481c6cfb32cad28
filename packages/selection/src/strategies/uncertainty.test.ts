import { describe, expect, it } from 'vitest'
import { selectBatch } from './registry'
import type { SelectionRequest } from '../types'

/** A request over rows of class probabilities, some already labelled. */
function request(rows: number[][], labeled: number[] = [], batchSize = 1, seed = 0): SelectionRequest {
  const mask = new Uint8Array(rows.length)
  for (const index of labeled) mask[index] = 1
  return { pool: { size: rows.length, classCount: rows[0]!.length, probabilities: Float32Array.from(rows.flat()) }, labeled: mask, batchSize, seed }
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

describe('margin', () => {
  it('picks the points nearest a known decision boundary', () => {
    // Two classes split at x = 0.7: p(class 1) = sigmoid(4 (x - 0.7)) on a grid from -3 to 3.
    const xs = Array.from({ length: 61 }, (_, i) => -3 + i * 0.1)
    const rows = xs.map((x) => [1 - sigmoid(4 * (x - 0.7)), sigmoid(4 * (x - 0.7))])
    const chosen = selectBatch('margin', request(rows, [], 3))
    expect(chosen.map((index) => Number(xs[index]!.toFixed(1))).sort()).toEqual([0.6, 0.7, 0.8])
  })
})

describe('uncertainty sampling: margin, least confidence and entropy disagree where they should', () => {
  // A: two classes nearly tied (small margin, top 0.5); B: spread over three (top 0.4, high entropy);
  // C: confident; D: the flattest, but already labelled.
  const rows = [[0.5, 0.49, 0.01], [0.4, 0.3, 0.3], [0.98, 0.01, 0.01], [0.34, 0.33, 0.33]]

  it('margin takes the near tie', () => {
    expect(selectBatch('margin', request(rows, [3]))).toEqual([0])
  })

  it('least confidence takes the lowest top probability', () => {
    expect(selectBatch('least-confidence', request(rows, [3]))).toEqual([1])
  })

  it('entropy takes the flattest distribution, and never a labelled row', () => {
    expect(selectBatch('entropy', request(rows, [3]))).toEqual([1])
    expect(selectBatch('entropy', request(rows, []))).toEqual([3])
  })

  it('the confident row comes last for all three', () => {
    for (const name of ['margin', 'least-confidence', 'entropy']) expect(selectBatch(name, request(rows, [3], 3)).at(-1)).toBe(2)
  })
})

describe('greedy', () => {
  // Confidences 0.95, 0.7, 0.85, 0.6, 0.79, 0.99: rows 1, 3 and 4 are under 0.8.
  const rows = [0.95, 0.7, 0.85, 0.6, 0.79, 0.99].map((top) => [top, 1 - top])

  it('draws only rows under the threshold while there are enough, and each of them over seeds', () => {
    const seen = new Set<number>()
    for (let seed = 0; seed < 50; seed++) {
      const chosen = selectBatch('greedy', request(rows, [], 2, seed), { threshold: 0.8 })
      for (const index of chosen) seen.add(index)
    }
    expect([...seen].sort()).toEqual([1, 3, 4])
  })

  it('orders by confidence when asked, and fills a short batch with the least confident of the rest', () => {
    expect(selectBatch('greedy', request(rows, [], 2), { threshold: 0.8, order: 'uncertainty' })).toEqual([3, 1])
    expect(selectBatch('greedy', request(rows, [], 5), { threshold: 0.8 }).sort()).toEqual([0, 1, 2, 3, 4])
    expect(selectBatch('greedy', request(rows, [], 2), { threshold: 0.9 }).every((index) => index !== 0 && index !== 5)).toBe(true)
  })
})
