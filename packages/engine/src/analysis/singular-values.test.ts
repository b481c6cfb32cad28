import { describe, expect, it } from 'vitest'
import { seededRandom } from '@bankbench/data'
import { lowRankSingularValues, matrix, multiply, qrR, singularValues, transpose } from './singular-values'
import { cumulativeEnergy, effectiveRank, rankForEnergy, summarizeSpectrum } from './spectrum'

const randomMatrix = (rows: number, cols: number, seed: number) => {
  const random = seededRandom(seed)
  return matrix(rows, cols, Array.from({ length: rows * cols }, () => random() * 2 - 1))
}
const expectClose = (actual: number[], expected: number[], tolerance = 1e-10) => {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((value, index) => expect(Math.abs(value - expected[index]!), `value ${index}: ${value} vs ${expected[index]}`).toBeLessThan(tolerance))
}

describe('singularValues (one-sided Jacobi)', () => {
  it('matches known matrices', () => {
    // [[3, 0], [4, 5]]: MᵀM = [[25, 20], [20, 25]] has eigenvalues 45 and 5.
    expectClose(singularValues(matrix(2, 2, [3, 0, 4, 5])), [3 * Math.sqrt(5), Math.sqrt(5)])
    // A scaled permutation, wide: the singular values are the absolute entries.
    expectClose(singularValues(matrix(2, 3, [0, -2, 0, 1, 0, 0])), [2, 1])
    expectClose(singularValues(matrix(3, 3, [0, 0, 0, 0, 0, 0, 0, 0, 0])), [0, 0, 0])
  })

  it('keeps the Frobenius norm and is unchanged by transposition', () => {
    const m = randomMatrix(9, 6, 3)
    const values = singularValues(m)
    const frobenius = m.data.reduce((sum, value) => sum + value * value, 0)
    expect(Math.abs(values.reduce((sum, value) => sum + value * value, 0) - frobenius)).toBeLessThan(1e-10)
    expectClose(singularValues(transpose(m)), values)
  })
})

describe('qrR', () => {
  it('gives an upper-triangular R with RᵀR = MᵀM', () => {
    const m = randomMatrix(8, 4, 5)
    const r = qrR(m)
    for (let i = 1; i < 4; i++) for (let j = 0; j < i; j++) expect(r.data[i * 4 + j]).toBe(0)
    expectClose([...multiply(transpose(r), r).data], [...multiply(transpose(m), m).data])
  })
})

describe('lowRankSingularValues', () => {
  it('equals the singular values of the formed product scaling·B·A, padded with zeros', () => {
    const b = randomMatrix(12, 3, 7)
    const a = randomMatrix(3, 10, 8)
    const direct = singularValues(matrix(12, 10, multiply(b, a).data.map((value) => 2 * value)))
    const lowRank = lowRankSingularValues(b, a, 2)
    expectClose(lowRank, direct.slice(0, 3))
    for (const rest of direct.slice(3)) expect(rest).toBeLessThan(1e-10)
  })

  it('sees a rank-deficient update: a B with one repeated column gives one non-zero value', () => {
    const column = randomMatrix(6, 1, 9)
    const b = matrix(6, 2, [...column.data].flatMap((value) => [value, value]))
    const values = lowRankSingularValues(b, randomMatrix(2, 5, 10))
    expect(values[0]).toBeGreaterThan(0.1)
    expect(values[1]).toBeLessThan(1e-12)
  })
})

describe('spectrum summaries', () => {
  it('effective rank is n for a flat spectrum, 1 for a single direction, exp(H) between', () => {
    expect(effectiveRank([2, 2, 2, 2])).toBeCloseTo(4, 12)
    expect(effectiveRank([5, 0, 0])).toBe(1)
    expect(effectiveRank([0, 0])).toBe(0)
    expect(effectiveRank([3, 1])).toBeCloseTo(Math.exp(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))), 12)
  })

  it('cumulative energy is the share of Σσ² in the top-k directions', () => {
    expectClose(cumulativeEnergy([4, 3]), [16 / 25, 1])
    expect(rankForEnergy([4, 3], 0.6)).toBe(1)
    expect(rankForEnergy([4, 3], 0.9)).toBe(2)
    expect(rankForEnergy([0, 0], 0.9)).toBe(0)
    expect(summarizeSpectrum([3, 4])).toMatchObject({ singularValues: [4, 3], rankFor90PercentEnergy: 2, frobeniusNorm: 5 })
  })
})
