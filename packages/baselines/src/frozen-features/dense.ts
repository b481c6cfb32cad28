import type { CsrMatrix } from '../tfidf-logreg/sparse'
import type { Prediction, PredictOptions, SerializedBaseline } from '../types'

/** Row-major feature vectors: row r is values[r*columns .. (r+1)*columns). */
export interface DenseMatrix {
  rows: number
  columns: number
  values: Float32Array
}

/**
 * A classifier over fixed feature vectors (a frozen encoder's sentence embeddings):
 * what the `frozen-probe` and `centroid` baselines learn on top of the untuned base model.
 */
export interface FeatureClassifier {
  readonly method: string
  /** Numbers learned from the training set (probe weights and intercepts, centroids): the method's "trainable parameters". */
  readonly parameterCount: number
  /** The labels `scores` are given for, in order. */
  readonly labels: readonly string[]
  predict(features: DenseMatrix, options?: PredictOptions): Prediction[]
  toJSON(): SerializedBaseline
}

export function denseMatrix(rows: number, columns: number, values: Float32Array): DenseMatrix {
  if (values.length !== rows * columns) throw new Error(`a ${rows}x${columns} matrix needs ${rows * columns} values, got ${values.length}`)
  return { rows, columns, values }
}

/** The same numbers as a CSR matrix with every entry stored, so the sparse softmax regression can fit dense features. */
export function denseToCsr(matrix: DenseMatrix): CsrMatrix {
  const { rows, columns } = matrix
  const rowStarts = Int32Array.from({ length: rows + 1 }, (_, row) => row * columns)
  const columnIndices = new Int32Array(rows * columns)
  for (let row = 0; row < rows; row++) for (let column = 0; column < columns; column++) columnIndices[row * columns + column] = column
  return { rowCount: rows, columnCount: columns, rowStarts, columns: columnIndices, values: Float64Array.from(matrix.values) }
}

/** Each column's training mean and standard deviation (1 where a column is constant). */
export function columnStatistics(matrix: DenseMatrix): { mean: Float32Array; scale: Float32Array } {
  const { rows, columns, values } = matrix
  const sum = new Float64Array(columns)
  const squares = new Float64Array(columns)
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const value = values[row * columns + column]!
      sum[column]! += value
      squares[column]! += value * value
    }
  }
  const mean = Float32Array.from(sum, (total) => total / Math.max(rows, 1))
  const scale = Float32Array.from(squares, (total, column) => {
    const variance = total / Math.max(rows, 1) - mean[column]! ** 2
    return variance > 1e-12 ? Math.sqrt(variance) : 1
  })
  return { mean, scale }
}

/** (x - mean) / scale, column by column, into a new matrix. */
export function standardize(matrix: DenseMatrix, mean: Float32Array, scale: Float32Array): DenseMatrix {
  assertColumns(matrix, mean.length)
  const values = new Float32Array(matrix.values.length)
  for (let index = 0; index < values.length; index++) {
    const column = index % matrix.columns
    values[index] = (matrix.values[index]! - mean[column]!) / scale[column]!
  }
  return { ...matrix, values }
}

export function assertColumns(matrix: DenseMatrix, columns: number): void {
  if (matrix.columns !== columns) throw new Error(`expected features of width ${columns}, got ${matrix.columns}: were they made by the same base model?`)
}
