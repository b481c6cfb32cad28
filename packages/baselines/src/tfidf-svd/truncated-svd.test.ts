import { describe, expect, it } from 'vitest'
import { seededRandom } from '@bankbench/data'
import { csrFromRows } from '../tfidf-logreg/sparse'
import { fitTruncatedSvd, symmetricEigen, transformTruncatedSvd } from './truncated-svd'
import { TfidfSvdEncoder } from './encoder'

/** A sparse matrix of known low rank plus nothing else: rank-3 factors, 40 x 30. */
function lowRankMatrix() {
  const random = seededRandom(5)
  const rows = 40
  const columns = 30
  const left = Array.from({ length: rows * 3 }, () => random() - 0.5)
  const right = Array.from({ length: 3 * columns }, () => (random() < 0.5 ? 0 : random()))
  const dense = Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => left[r * 3]! * right[c]! + left[r * 3 + 1]! * right[columns + c]! + left[r * 3 + 2]! * right[2 * columns + c]!))
  const csr = csrFromRows(dense.map((row) => {
    const cols = row.flatMap((value, c) => (value === 0 ? [] : [c]))
    return { columns: cols, values: cols.map((c) => row[c]!) }
  }), columns)
  return { dense, csr }
}

describe('symmetricEigen', () => {
  it('diagonalises a symmetric matrix: A v = lambda v', () => {
    const a = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5])
    const { values, vectors } = symmetricEigen(a, 3)
    for (let e = 0; e < 3; e++) {
      for (let i = 0; i < 3; i++) {
        let av = 0
        for (let j = 0; j < 3; j++) av += a[i * 3 + j]! * vectors[j * 3 + e]!
        expect(av).toBeCloseTo(values[e]! * vectors[i * 3 + e]!, 9)
      }
    }
    expect([...values].reduce((s, v) => s + v, 0)).toBeCloseTo(12, 9) // the trace
  })
})

describe('fitTruncatedSvd', () => {
  it('recovers a rank-3 matrix exactly: orthonormal components, and X V V^T = X', () => {
    const { dense, csr } = lowRankMatrix()
    const svd = fitTruncatedSvd(csr, 3, { seed: 1 })
    const { components, columnCount } = svd
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0
        for (let c = 0; c < columnCount; c++) dot += components[i * columnCount + c]! * components[j * columnCount + c]!
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 4)
      }
    }
    expect(svd.singularValues[0]!).toBeGreaterThanOrEqual(svd.singularValues[1]!)
    const projected = transformTruncatedSvd(svd, csr)
    for (let r = 0; r < dense.length; r++) {
      for (let c = 0; c < columnCount; c++) {
        let value = 0
        for (let k = 0; k < 3; k++) value += projected[r * 3 + k]! * components[k * columnCount + c]!
        expect(value).toBeCloseTo(dense[r]![c]!, 4)
      }
    }
  })

  it('is deterministic for a seed', () => {
    const { csr } = lowRankMatrix()
    expect(fitTruncatedSvd(csr, 2, { seed: 3 }).components).toEqual(fitTruncatedSvd(csr, 2, { seed: 3 }).components)
  })
})

describe('TfidfSvdEncoder', () => {
  it('puts texts that share words nearer than texts that do not', () => {
    const texts = ['my card was declined', 'card declined at the shop', 'how do i top up', 'top up my account', 'exchange rate for euros', 'what exchange rate applies']
    const encoder = TfidfSvdEncoder.fit([...texts, ...texts], { dimension: 3, wordNgramRange: [1, 1], minDf: 1, seed: 0 })
    const [a, b, c] = [encoder.encode(['declined card']), encoder.encode(['my card got declined']), encoder.encode(['exchange rate'])]
    const cosine = (x: Float32Array, y: Float32Array) => {
      let dot = 0, nx = 0, ny = 0
      for (let i = 0; i < x.length; i++) { dot += x[i]! * y[i]!; nx += x[i]! ** 2; ny += y[i]! ** 2 }
      return dot / Math.sqrt(nx * ny)
    }
    expect(encoder.dimension).toBe(3)
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c))
  })
})
