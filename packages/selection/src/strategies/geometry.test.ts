import { describe, expect, it } from 'vitest'
import { selectBatch } from './registry'
import type { SelectionRequest } from '../types'

const CENTERS = [[0, 0], [100, 0], [0, 100], [100, 100]]

/** Ten points around each of four far-apart centers; point i belongs to cluster floor(i / 10). */
function clusteredPool(): { embeddings: { dimension: number; values: Float32Array }; clusterOf: (index: number) => number } {
  const values: number[] = []
  for (const [cx, cy] of CENTERS) for (let i = 0; i < 10; i++) values.push(cx! + Math.cos(i) * (1 + (i % 3)), cy! + Math.sin(i) * (1 + (i % 3)))
  return { embeddings: { dimension: 2, values: Float32Array.from(values) }, clusterOf: (index) => Math.floor(index / 10) }
}

function request(embeddings: { dimension: number; values: Float32Array }, labeled: number[], batchSize: number, seed = 0): SelectionRequest {
  const size = embeddings.values.length / embeddings.dimension
  const mask = new Uint8Array(size)
  for (const index of labeled) mask[index] = 1
  return { pool: { size, classCount: 2, embeddings }, labeled: mask, batchSize, seed }
}

describe('core-set', () => {
  const { embeddings, clusterOf } = clusteredPool()

  it('covers every cluster before sampling one twice', () => {
    for (let seed = 0; seed < 5; seed++) {
      const chosen = selectBatch('core-set', request(embeddings, [], 4, seed))
      expect(new Set(chosen.map(clusterOf)).size).toBe(4)
    }
  })

  it('counts what is labelled as covered: the clusters without a label come first', () => {
    const chosen = selectBatch('core-set', request(embeddings, [3, 12], 2))
    expect(chosen.map(clusterOf).sort()).toEqual([2, 3])
  })

  it('with the cosine metric, covers directions, not distances from the origin', () => {
    // A long ray along x (radii 1..20) and short stubs along y and (-1,-1); the row at x = 1 is labelled.
    const ray = Array.from({ length: 20 }, (_, r) => [r + 1, 0])
    const stubs = [[0, 1], [0, 1.5], [-1, -1], [-1.2, -1.2]]
    const pool = { dimension: 2, values: Float32Array.from([...ray, ...stubs].flat()) }
    const direction = (index: number) => (index < 20 ? 'x' : index < 22 ? 'y' : 'diagonal')
    const cosine = selectBatch('core-set', request(pool, [0], 2), { metric: 'cosine' })
    expect(cosine.map(direction).sort()).toEqual(['diagonal', 'y'])
    // Euclidean sees the far end of the ray as the least covered region.
    const euclidean = selectBatch('core-set', request(pool, [0], 2), { metric: 'euclidean' })
    expect(euclidean.map(direction)).toEqual(['x', 'x'])
  })
})

describe('diversity-max-min', () => {
  const { embeddings, clusterOf } = clusteredPool()

  it('spreads one batch over every cluster, whatever is labelled', () => {
    for (let seed = 0; seed < 5; seed++) {
      const chosen = selectBatch('diversity-max-min', request(embeddings, [0, 1, 2], 4, seed))
      expect(new Set(chosen.map(clusterOf)).size).toBe(4)
    }
  })
})

describe('diversity-k-means', () => {
  it('labels the row nearest each cluster\'s centroid: the known centers', () => {
    // Each cluster is a center plus four points at distance 1 around it: the centroid is the center.
    const values: number[] = []
    const centers = [[0, 0], [50, 0], [0, 50]]
    for (const [cx, cy] of centers) values.push(cx!, cy!, cx! + 1, cy!, cx! - 1, cy!, cx!, cy! + 1, cx!, cy! - 1)
    const pool = { dimension: 2, values: Float32Array.from(values) }
    for (let seed = 0; seed < 5; seed++) {
      expect(selectBatch('diversity-k-means', request(pool, [], 3, seed)).sort((a, b) => a - b)).toEqual([0, 5, 10])
    }
  })
})
