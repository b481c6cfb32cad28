import { seededRandom } from '@bankbench/data'
import { embeddingFeatures, type FeatureSet } from './features'

/**
 * A synthetic classification problem for the simulation's tests: `classCount`
 * Gaussian blobs in `dimension` dimensions, centers on a scaled simplex-like grid,
 * with overlap controlled by `noise`. Pool and test rows are drawn the same way.
 */
export function gaussianBlobs(options: { classCount: number; dimension: number; pool: number; test: number; noise: number; seed: number }): {
  features: FeatureSet
  poolTargets: Int32Array
  testTargets: Int32Array
} {
  const random = seededRandom(options.seed)
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const centers = Array.from({ length: options.classCount }, () => Array.from({ length: options.dimension }, () => gaussian() * 2))
  const draw = (rows: number) => {
    const targets = Int32Array.from({ length: rows }, (_, row) => row % options.classCount)
    const values = new Float32Array(rows * options.dimension)
    targets.forEach((target, row) => {
      for (let j = 0; j < options.dimension; j++) values[row * options.dimension + j] = centers[target]![j]! + options.noise * gaussian()
    })
    return { targets, embeddings: { dimension: options.dimension, values } }
  }
  const pool = draw(options.pool)
  const test = draw(options.test)
  return { features: embeddingFeatures(pool.embeddings, test.embeddings, 'gaussian blobs'), poolTargets: pool.targets, testTargets: test.targets }
}
