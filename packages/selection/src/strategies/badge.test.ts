import { describe, expect, it } from 'vitest'
import { GradientEmbeddings } from './badge'
import { selectBatch } from './registry'
import type { SelectionRequest, SparseRows } from '../types'

/** Dense rows as the sparse rows the head reads (zeros left out, as TF-IDF rows leave them). */
function sparse(rows: number[][]): SparseRows {
  const rowStarts = new Int32Array(rows.length + 1)
  const columns: number[] = []
  const values: number[] = []
  rows.forEach((entries, index) => {
    entries.forEach((value, column) => {
      if (value !== 0) {
        columns.push(column)
        values.push(value)
      }
    })
    rowStarts[index + 1] = columns.length
  })
  return { rowCount: rows.length, columnCount: rows[0]!.length, rowStarts, columns: Int32Array.from(columns), values: Float64Array.from(values) }
}

/**
 * Three classes. Three tight clusters of uncertain rows, far apart in input space
 * (A the most uncertain: the two top classes tied; B and C a little less), five rows
 * each; and 30 confident rows spread widely over the input space. A confident row's
 * gradient is near zero wherever its input lies, so in gradient space the confident
 * rows are one more tight cluster, at the origin: four regions in all.
 */
function pool() {
  const inputs: number[][] = []
  const probabilities: number[][] = []
  const cluster: string[] = []
  const add = (name: string, x: number[], p: number[]) => {
    inputs.push(x)
    probabilities.push(p)
    cluster.push(name)
  }
  for (let i = 0; i < 5; i++) add('A', [10 + i * 0.01, 0, 0], [0.45, 0.45, 0.1])
  for (let i = 0; i < 5; i++) add('B', [0, 10 + i * 0.01, 0], [0.55, 0.35, 0.1])
  for (let i = 0; i < 5; i++) add('C', [0, 0, 10 + i * 0.01], [0.1, 0.35, 0.55])
  for (let i = 0; i < 30; i++) add('confident', [20 * Math.cos(i), 20 * Math.sin(i), (i % 7) * 3], i % 2 ? [0.999, 0.0005, 0.0005] : [0.0005, 0.0005, 0.999])
  const request = (batchSize: number, seed: number, labeled: number[] = []): SelectionRequest => {
    const mask = new Uint8Array(inputs.length)
    for (const index of labeled) mask[index] = 1
    return {
      pool: { size: inputs.length, classCount: 3, probabilities: Float32Array.from(probabilities.flat()), headInputs: sparse(inputs), embeddings: { dimension: 3, values: Float32Array.from(inputs.flat()) } },
      labeled: mask,
      batchSize,
      seed,
    }
  }
  return { request, clusterOf: (index: number) => cluster[index]!, inputs, probabilities }
}

describe('badge', () => {
  const { request, clusterOf, inputs, probabilities } = pool()

  it('takes one row from each region of gradient space: never two from one tight uncertain cluster before covering the others', () => {
    for (let seed = 0; seed < 20; seed++) {
      expect(selectBatch('badge', request(4, seed)).map(clusterOf).sort()).toEqual(['A', 'B', 'C', 'confident'])
      const three = selectBatch('badge', request(3, seed)).map(clusterOf)
      expect(new Set(three).size).toBe(3)
      expect(three[0]).toBe('A')
    }
  })

  it('where uncertainty alone takes the most uncertain cluster three times and diversity alone the confident rows', () => {
    expect(selectBatch('margin', request(3, 0)).map(clusterOf)).toEqual(['A', 'A', 'A'])
    expect(selectBatch('core-set', request(3, 0)).map(clusterOf)).toContain('confident')
  })

  it('starts from the row with the longest gradient embedding, and skips what is labelled', () => {
    // A's rows have the largest ‖p − e_ŷ‖ at the same input length; the farthest along x is the longest.
    expect(selectBatch('badge', request(1, 0))).toEqual([4])
    for (let seed = 0; seed < 5; seed++) {
      const chosen = selectBatch('badge', request(3, seed, [0, 1, 2, 3, 4]))
      expect(chosen.map(clusterOf).sort()).toEqual(['B', 'C', 'confident'])
    }
  })

  it('measures distances between the gradient embeddings (p − e_ŷ) ⊗ [x, 1] exactly', () => {
    const explicit = (index: number) => {
      const p = probabilities[index]!
      const predicted = p.indexOf(Math.max(...p))
      return p.flatMap((value, k) => [...inputs[index]!, 1].map((x) => (value - (k === predicted ? 1 : 0)) * x))
    }
    const candidates = [0, 7, 12, 20, 33]
    const embeddings = new GradientEmbeddings(Float32Array.from(probabilities.flat()), 3, sparse(inputs), candidates)
    for (let a = 0; a < candidates.length; a++) {
      for (let b = 0; b < candidates.length; b++) {
        const [ga, gb] = [explicit(candidates[a]!), explicit(candidates[b]!)]
        const distance = ga.reduce((sum, value, j) => sum + (value - gb[j]!) ** 2, 0)
        expect(embeddings.squaredDistance(a, b)).toBeCloseTo(distance, 3)
      }
      expect(embeddings.squaredNorm[a]).toBeCloseTo(explicit(candidates[a]!).reduce((sum, value) => sum + value ** 2, 0), 3)
    }
  })
})
