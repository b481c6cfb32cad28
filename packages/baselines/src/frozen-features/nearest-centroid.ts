import { decodeFloat32, encodeFloats } from '../encoding'
import { assertSerialized, type Prediction, type PredictOptions, type SeedOption, type SerializedBaseline } from '../types'
import { assertColumns, columnStatistics, type DenseMatrix, type FeatureClassifier } from './dense'
import { labelIndices } from './labels'

export interface NearestCentroidOptions {
  /**
   * Subtract the training features' mean before comparing. Default true: a transformer's
   * sentence vectors share one large common direction, which makes every cosine
   * similarity close to 1 unless it is removed.
   */
  center: boolean
}

export const DEFAULT_NEAREST_CENTROID_OPTIONS: NearestCentroidOptions = { center: true }

export interface NearestCentroidTrainOptions extends SeedOption, Partial<NearestCentroidOptions> {}

interface SerializedNearestCentroid extends SerializedBaseline {
  method: 'centroid'
  options: NearestCentroidOptions
  labels: string[]
  /** Float32 little-endian, base64: the subtracted mean (zeros when not centring), then the unit centroids, label-major. */
  offset: string
  centroids: string
}

/**
 * Softmax temperature over cosine similarities, giving a confidence in [0, 1]. 0.05 is
 * the temperature of contrastive sentence-embedding training (SimCSE); it only
 * rescales confidence, never changes which label wins.
 */
const SIMILARITY_TEMPERATURE = 0.05

/**
 * Nearest class centroid by cosine similarity: each label is the mean direction of its
 * training vectors (each scaled to unit length first, so long and short texts weigh
 * the same), and a text gets the label whose direction is closest to its own.
 * A label without training examples has a zero centroid and is never predicted.
 */
export class NearestCentroid implements FeatureClassifier {
  readonly method = 'centroid'

  private constructor(
    private readonly options: NearestCentroidOptions,
    readonly labels: string[],
    private readonly offset: Float32Array,
    private readonly centroids: Float32Array,
  ) {}

  static train(features: DenseMatrix, rowLabels: readonly string[], labels: string[], trainOptions: NearestCentroidTrainOptions): NearestCentroid {
    const { seed: _seed, ...overrides } = trainOptions
    const options = { ...DEFAULT_NEAREST_CENTROID_OPTIONS, ...overrides }
    const targets = labelIndices(features, rowLabels, labels)
    const { columns } = features
    const offset = options.center ? columnStatistics(features).mean : new Float32Array(columns)
    const sums = new Float64Array(labels.length * columns)
    const directions = unitRows(features, offset)
    for (let row = 0; row < features.rows; row++) {
      const base = targets[row]! * columns
      for (let column = 0; column < columns; column++) sums[base + column]! += directions[row * columns + column]!
    }
    const centroids = unitRows({ rows: labels.length, columns, values: Float32Array.from(sums) }, new Float32Array(columns))
    return new NearestCentroid(options, labels.slice(), offset, centroids)
  }

  static load(json: unknown): NearestCentroid {
    assertSerialized<SerializedNearestCentroid>(json, 'centroid', 1)
    return new NearestCentroid(json.options, json.labels, decodeFloat32(json.offset), decodeFloat32(json.centroids))
  }

  get parameterCount(): number {
    return this.centroids.length
  }

  predict(features: DenseMatrix, options: PredictOptions = {}): Prediction[] {
    const columns = this.offset.length
    assertColumns(features, columns)
    const directions = unitRows(features, this.offset)
    const similarities = new Float64Array(this.labels.length)
    const predictions: Prediction[] = []
    for (let row = 0; row < features.rows; row++) {
      for (let label = 0; label < this.labels.length; label++) {
        let dot = 0
        for (let column = 0; column < columns; column++) dot += directions[row * columns + column]! * this.centroids[label * columns + column]!
        similarities[label] = dot
      }
      let best = 0
      for (let label = 1; label < similarities.length; label++) if (similarities[label]! > similarities[best]!) best = label
      const weights = Array.from(similarities, (similarity) => Math.exp((similarity - similarities[best]!) / SIMILARITY_TEMPERATURE))
      const sum = weights.reduce((total, weight) => total + weight, 0)
      predictions.push({ label: this.labels[best]!, confidence: 1 / sum, ...(options.scores && { scores: weights.map((weight) => weight / sum) }) })
    }
    return predictions
  }

  toJSON(): SerializedNearestCentroid {
    return { method: 'centroid', version: 1, options: this.options, labels: this.labels, offset: encodeFloats(this.offset), centroids: encodeFloats(this.centroids) }
  }
}

/** Each row minus `offset`, scaled to unit length (a zero row stays zero). */
function unitRows({ rows, columns, values }: DenseMatrix, offset: Float32Array): Float32Array {
  const result = new Float32Array(rows * columns)
  for (let row = 0; row < rows; row++) {
    let squares = 0
    for (let column = 0; column < columns; column++) {
      const value = values[row * columns + column]! - offset[column]!
      result[row * columns + column] = value
      squares += value * value
    }
    const norm = Math.sqrt(squares)
    if (norm > 0) for (let column = 0; column < columns; column++) result[row * columns + column]! /= norm
  }
  return result
}
