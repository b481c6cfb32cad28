import { describe, expect, it } from 'vitest'
import { gaussianBlobs } from '../simulation/testing'
import { SoftmaxHead } from '../simulation/softmax-head'
import { takeRows } from '../simulation/sparse-rows'
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

  it('is exact for the simulation\'s own softmax head: the expectation of its loss gradient, measured by finite differences on its parameters', () => {
    // The learner the select job refits each round, on the features it reads (standardised embeddings, bias included).
    const classCount = 3
    const { features, poolTargets } = gaussianBlobs({ classCount, dimension: 4, pool: 60, test: 3, noise: 1.5, seed: 2 })
    const head = SoftmaxHead.fit(features.pool, Array.from({ length: 30 }, (_, row) => row), poolTargets, classCount, { C: 1, maxIterations: 30 })
    const parameters = head.parameters
    for (const index of [31, 40, 55]) {
      const single = takeRows(features.pool, [index])
      const probabilities = head.probabilities(single)
      const logLikelihood = (label: number) => Math.log(head.probabilities(single)[label]!)
      let expected = 0
      for (let label = 0; label < classCount; label++) {
        // Central differences of -log p_label over every weight and bias of the head (a step float32 probabilities resolve).
        let squares = 0
        for (let parameter = 0; parameter < parameters.length; parameter++) {
          const saved = parameters[parameter]!
          parameters[parameter] = saved + 1e-3
          const up = logLikelihood(label)
          parameters[parameter] = saved - 1e-3
          const down = logLikelihood(label)
          parameters[parameter] = saved
          squares += ((down - up) / 2e-3) ** 2
        }
        expected += probabilities[label]! * Math.sqrt(squares)
      }
      expect(expectedGradientLength(probabilities, features.featureNorms[index]!)).toBeCloseTo(expected, 3)
    }
  })
})
