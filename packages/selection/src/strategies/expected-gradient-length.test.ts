import { describe, expect, it } from 'vitest'
import { expectedGradientLength } from './expected-gradient-length'
import { selectBatch } from './registry'

/** The gradient of -log softmax(Wx + b)_label with respect to (W, b), written out and measured. */
function bruteForceGradientNorm(x: number[], probabilities: number[], label: number): number {
  let squares = 0
  for (let k = 0; k < probabilities.length; k++) {
    const delta = probabilities[k]! - (k === label ? 1 : 0)
    for (const value of [...x, 1]) squares += (delta * value) ** 2
  }
  return Math.sqrt(squares)
}

describe('expected gradient length', () => {
  it('equals the expectation of the explicit gradient norm under the model\'s own label distribution', () => {
    const x = [0.3, -1.2, 2.0, 0.5]
    const probabilities = [0.6, 0.25, 0.1, 0.05]
    const expected = probabilities.reduce((sum, p, label) => sum + p * bruteForceGradientNorm(x, probabilities, label), 0)
    const norm = Math.hypot(...x)
    expect(expectedGradientLength(probabilities, norm)).toBeCloseTo(expected, 10)
  })

  it('ranks uncertain rows above confident ones, and among equal predictions the longer feature vector first', () => {
    const rows = [[0.99, 0.01], [0.5, 0.5], [0.5, 0.5], [0.7, 0.3]]
    const pool = { size: 4, classCount: 2, probabilities: Float32Array.from(rows.flat()), featureNorms: Float32Array.from([5, 1, 3, 1]) }
    expect(selectBatch('expected-gradient-length', { pool, labeled: new Uint8Array(4), batchSize: 4, seed: 0 })).toEqual([2, 1, 3, 0])
  })
})
