import { seededRandom } from '@bankbench/data'
import { describe, expect, it } from 'vitest'
import { createSoftmaxObjective, splitRowsByNonZeros } from './parallel-objective'
import { parameterCount, softmaxLossAndGradient, type SoftmaxProblem } from './softmax-loss'
import { csrFromRows } from './sparse'

/** 300 random sparse rows over 50 features and 5 classes. */
function randomProblem(): SoftmaxProblem {
  const random = seededRandom(9)
  const rows = Array.from({ length: 300 }, () => {
    const columns = [...new Set(Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 50)))].sort((a, b) => a - b)
    return { columns, values: columns.map(() => random()) }
  })
  return {
    features: csrFromRows(rows, 50),
    targets: Int32Array.from(rows, () => Math.floor(random() * 5)),
    classCount: 5,
    l2: 0.01,
  }
}

describe('splitRowsByNonZeros', () => {
  it('covers every row once, in contiguous blocks of similar work', () => {
    const problem = randomProblem()
    const blocks = splitRowsByNonZeros(problem, 3)
    expect(blocks[0]![0]).toBe(0)
    expect(blocks[2]![1]).toBe(300)
    expect(blocks[1]![0]).toBe(blocks[0]![1])
    expect(blocks[2]![0]).toBe(blocks[1]![1])
    const { rowStarts } = problem.features
    const total = rowStarts[300]!
    for (const [first, end] of blocks) expect(Math.abs(rowStarts[end]! - rowStarts[first]! - total / 3)).toBeLessThan(10)
  })
})

describe('createSoftmaxObjective', () => {
  it('gives the single-thread loss and gradient when split over worker threads', () => {
    const problem = randomProblem()
    const random = seededRandom(1)
    const parameters = Float64Array.from({ length: parameterCount(50, 5) }, () => random() - 0.5)
    const expected = new Float64Array(parameters.length)
    const expectedLoss = softmaxLossAndGradient(problem, parameters, expected)

    const objective = createSoftmaxObjective(problem, 3)
    try {
      for (let call = 0; call < 2; call++) {
        const gradient = new Float64Array(parameters.length)
        expect(objective.evaluate(parameters, gradient)).toBeCloseTo(expectedLoss, 12)
        gradient.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 12))
      }
    } finally {
      objective.close()
    }
  })
})
