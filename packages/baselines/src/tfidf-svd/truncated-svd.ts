import { seededRandom } from '@bankbench/data'
import type { CsrMatrix } from '../tfidf-logreg/sparse'

/**
 * Truncated SVD of a sparse matrix by the randomized range finder (Halko, Martinsson &
 * Tropp 2011, as scikit-learn's TruncatedSVD(algorithm='randomized')): project onto
 * k + oversampling Gaussian directions, sharpen with power iterations (re-orthonormalised
 * each time), then take the exact SVD of the small projected matrix. Returns the top k
 * right singular vectors (the components, k x columns, row-major) and singular values;
 * `transform` gives X V, which for the fitted matrix is U S (sklearn's fit_transform).
 */
export interface TruncatedSvd {
  components: Float32Array
  singularValues: Float64Array
  rank: number
  columnCount: number
}

export function fitTruncatedSvd(matrix: CsrMatrix, rank: number, options: { seed: number; oversampling?: number; powerIterations?: number }): TruncatedSvd {
  const width = Math.min(rank + (options.oversampling ?? 10), matrix.rowCount, matrix.columnCount)
  if (rank > width) throw new Error(`truncated SVD of rank ${rank} on a ${matrix.rowCount} x ${matrix.columnCount} matrix: the rank is larger than the matrix`)
  const random = seededRandom(options.seed)
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  // Omega: columns x width; Y = A Omega: rows x width (column-major per direction for the QR).
  const omega = Float64Array.from({ length: matrix.columnCount * width }, gaussian)
  let y = multiply(matrix, omega, width)
  const powerIterations = options.powerIterations ?? 3
  orthonormalizeColumns(y, matrix.rowCount, width, powerIterations > 0 ? 1 : 2)
  for (let iteration = 0; iteration < powerIterations; iteration++) {
    const z = multiplyTransposed(matrix, y, width)
    orthonormalizeColumns(z, matrix.columnCount, width, 1)
    y = multiply(matrix, z, width)
    // Between power iterations only the scale matters; the basis Q itself must be orthonormal to working precision.
    orthonormalizeColumns(y, matrix.rowCount, width, iteration === powerIterations - 1 ? 2 : 1)
  }
  // B = Q^T A: width x columns. Its SVD from the eigendecomposition of B B^T (width x width).
  const b = multiplyTransposed(matrix, y, width) // columns x width, i.e. B^T row-major
  const gram = new Float64Array(width * width)
  for (let c = 0; c < matrix.columnCount; c++) {
    const row = c * width
    for (let i = 0; i < width; i++) {
      const bi = b[row + i]!
      if (bi === 0) continue
      for (let j = i; j < width; j++) gram[i * width + j]! += bi * b[row + j]!
    }
  }
  for (let i = 0; i < width; i++) for (let j = 0; j < i; j++) gram[i * width + j] = gram[j * width + i]!
  const { values, vectors } = symmetricEigen(gram, width)
  const order = Array.from({ length: width }, (_, i) => i).sort((l, r) => values[r]! - values[l]!)
  const components = new Float32Array(rank * matrix.columnCount)
  const singularValues = new Float64Array(rank)
  for (let k = 0; k < rank; k++) {
    const e = order[k]!
    const sigma = Math.sqrt(Math.max(values[e]!, 0))
    singularValues[k] = sigma
    if (sigma === 0) continue
    // v_k = B^T u_k / sigma_k, with u_k the eigenvector of B B^T.
    for (let c = 0; c < matrix.columnCount; c++) {
      let sum = 0
      for (let i = 0; i < width; i++) sum += b[c * width + i]! * vectors[i * width + e]!
      components[k * matrix.columnCount + c] = sum / sigma
    }
    // Sign convention: the largest-magnitude entry positive, so refits give the same vectors.
    let largest = 0
    for (let c = 0; c < matrix.columnCount; c++) if (Math.abs(components[k * matrix.columnCount + c]!) > Math.abs(largest)) largest = components[k * matrix.columnCount + c]!
    if (largest < 0) for (let c = 0; c < matrix.columnCount; c++) components[k * matrix.columnCount + c] = -components[k * matrix.columnCount + c]!
  }
  return { components, singularValues, rank, columnCount: matrix.columnCount }
}

/** X V: rows x rank, row-major. */
export function transformTruncatedSvd(svd: TruncatedSvd, matrix: CsrMatrix): Float32Array {
  if (matrix.columnCount !== svd.columnCount) throw new Error(`matrix of ${matrix.columnCount} columns, SVD fitted on ${svd.columnCount}`)
  const out = new Float32Array(matrix.rowCount * svd.rank)
  const accumulator = new Float64Array(svd.rank)
  for (let r = 0; r < matrix.rowCount; r++) {
    accumulator.fill(0)
    for (let p = matrix.rowStarts[r]!; p < matrix.rowStarts[r + 1]!; p++) {
      const column = matrix.columns[p]!
      const value = matrix.values[p]!
      for (let k = 0; k < svd.rank; k++) accumulator[k]! += value * svd.components[k * svd.columnCount + column]!
    }
    for (let k = 0; k < svd.rank; k++) out[r * svd.rank + k] = accumulator[k]!
  }
  return out
}

/** A (rows x columns, sparse) times M (columns x width, row-major): rows x width, row-major. */
function multiply(matrix: CsrMatrix, m: Float64Array, width: number): Float64Array {
  const out = new Float64Array(matrix.rowCount * width)
  for (let r = 0; r < matrix.rowCount; r++) {
    const target = r * width
    for (let p = matrix.rowStarts[r]!; p < matrix.rowStarts[r + 1]!; p++) {
      const value = matrix.values[p]!
      const source = matrix.columns[p]! * width
      for (let j = 0; j < width; j++) out[target + j]! += value * m[source + j]!
    }
  }
  return out
}

/** A^T (columns x rows) times M (rows x width, row-major): columns x width, row-major. */
function multiplyTransposed(matrix: CsrMatrix, m: Float64Array, width: number): Float64Array {
  const out = new Float64Array(matrix.columnCount * width)
  for (let r = 0; r < matrix.rowCount; r++) {
    const source = r * width
    for (let p = matrix.rowStarts[r]!; p < matrix.rowStarts[r + 1]!; p++) {
      const value = matrix.values[p]!
      const target = matrix.columns[p]! * width
      for (let j = 0; j < width; j++) out[target + j]! += value * m[source + j]!
    }
  }
  return out
}

/**
 * Orthonormalises the columns of a row-major (length x width) matrix in place, by
 * CholeskyQR2 (Y = Q R with R from the Cholesky factor of Y^T Y, done twice for
 * orthogonality to working precision): two passes over the rows, where Gram-Schmidt on
 * row-major data strides through memory once per column pair and took minutes here.
 * One pass suffices between power iterations.
 */
function orthonormalizeColumns(m: Float64Array, length: number, width: number, passes: number): void {
  for (let pass = 0; pass < passes; pass++) {
    const gram = new Float64Array(width * width)
    for (let r = 0; r < length; r++) {
      const row = r * width
      for (let i = 0; i < width; i++) {
        const value = m[row + i]!
        if (value === 0) continue
        const target = i * width
        for (let j = i; j < width; j++) gram[target + j]! += value * m[row + j]!
      }
    }
    const upper = choleskyUpper(gram, width)
    // Each row y becomes y R^-1: a forward solve with R^T (x R = y, R upper triangular).
    const solved = new Float64Array(width)
    for (let r = 0; r < length; r++) {
      const row = r * width
      for (let j = 0; j < width; j++) {
        let sum = m[row + j]!
        for (let i = 0; i < j; i++) sum -= solved[i]! * upper[i * width + j]!
        const diagonal = upper[j * width + j]!
        solved[j] = diagonal > 0 ? sum / diagonal : 0
      }
      m.set(solved, row)
    }
  }
}

/**
 * The upper Cholesky factor R (R^T R = G) of a symmetric positive semi-definite matrix
 * given by its upper triangle. A pivot that is numerically zero (a column already
 * dependent on the ones before it) gets R[j][j] = 0, and the solve zeroes that column.
 */
function choleskyUpper(gram: Float64Array, n: number): Float64Array {
  const r = new Float64Array(n * n)
  let trace = 0
  for (let i = 0; i < n; i++) trace += gram[i * n + i]!
  const tiny = 1e-13 * (trace / n || 1)
  for (let j = 0; j < n; j++) {
    let diagonal = gram[j * n + j]!
    for (let k = 0; k < j; k++) diagonal -= r[k * n + j]! ** 2
    if (diagonal <= tiny) continue
    const pivot = Math.sqrt(diagonal)
    r[j * n + j] = pivot
    for (let i = j + 1; i < n; i++) {
      let sum = gram[j * n + i]!
      for (let k = 0; k < j; k++) sum -= r[k * n + j]! * r[k * n + i]!
      r[j * n + i] = sum / pivot
    }
  }
  return r
}

/** Cyclic Jacobi eigendecomposition of a symmetric n x n matrix: eigenvalues and eigenvectors (columns of `vectors`). */
export function symmetricEigen(input: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(input)
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  let scale = 0
  for (let i = 0; i < n * n; i++) scale += a[i]! ** 2
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2
    // Relative to the matrix's size: an absolute threshold never triggers on large entries, and each extra sweep costs n^3.
    if (off <= 1e-26 * scale) break
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!
        if (Math.abs(apq) < 1e-300) continue
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!
          const akq = a[k * n + q]!
          a[k * n + p] = c * akp - s * akq
          a[k * n + q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!
          const aqk = a[q * n + k]!
          a[p * n + k] = c * apk - s * aqk
          a[q * n + k] = s * apk + c * aqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!
          const vkq = v[k * n + q]!
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v }
}
