/**
 * Singular values of small dense matrices in float64, without tfjs: the LoRA
 * analysis needs the spectrum of ΔW = B·A (B [out, r], A [r, in]) and r is small,
 * so ΔW is never formed. QR of B and of Aᵀ reduce it to an r×r core whose singular
 * values are ΔW's: B·A = Q_B (R_B R_Aᵀ) Q_Aᵀ with Q_B, Q_A orthonormal columns.
 */

/** A row-major matrix. */
export interface Matrix {
  rows: number
  cols: number
  data: Float64Array
}

export function matrix(rows: number, cols: number, values: ArrayLike<number>): Matrix {
  if (values.length !== rows * cols) throw new Error(`a ${rows}x${cols} matrix needs ${rows * cols} values, got ${values.length}`)
  return { rows, cols, data: Float64Array.from(values) }
}

export function transpose(m: Matrix): Matrix {
  const data = new Float64Array(m.rows * m.cols)
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) data[j * m.rows + i] = m.data[i * m.cols + j]!
  return { rows: m.cols, cols: m.rows, data }
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`cannot multiply ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`)
  const data = new Float64Array(a.rows * b.cols)
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!
      if (aik === 0) continue
      for (let j = 0; j < b.cols; j++) data[i * b.cols + j]! += aik * b.data[k * b.cols + j]!
    }
  }
  return { rows: a.rows, cols: b.cols, data }
}

/**
 * The R of a thin QR (m×n, m ≥ n) by Householder reflections: n×n upper triangular
 * with RᵀR = MᵀM. Q is not needed, only that it has orthonormal columns.
 */
export function qrR(m: Matrix): Matrix {
  if (m.rows < m.cols) throw new Error(`thin QR needs rows >= cols, got ${m.rows}x${m.cols}`)
  const a = Float64Array.from(m.data)
  const { rows, cols } = m
  for (let k = 0; k < cols; k++) {
    let norm = 0
    for (let i = k; i < rows; i++) norm += a[i * cols + k]! ** 2
    norm = Math.sqrt(norm)
    if (norm === 0) continue
    const alpha = a[k * cols + k]! > 0 ? -norm : norm
    // v = x - alpha e1, reflect the remaining columns with H = I - 2 v vᵀ / vᵀv.
    const v = new Float64Array(rows - k)
    for (let i = k; i < rows; i++) v[i - k] = a[i * cols + k]!
    v[0]! -= alpha
    let vv = 0
    for (const value of v) vv += value * value
    if (vv === 0) continue
    for (let j = k; j < cols; j++) {
      let dot = 0
      for (let i = k; i < rows; i++) dot += v[i - k]! * a[i * cols + j]!
      const factor = (2 * dot) / vv
      for (let i = k; i < rows; i++) a[i * cols + j]! -= factor * v[i - k]!
    }
  }
  const r = new Float64Array(cols * cols)
  for (let i = 0; i < cols; i++) for (let j = i; j < cols; j++) r[i * cols + j] = a[i * cols + j]!
  return { rows: cols, cols, data: r }
}

/**
 * Singular values, largest first, by one-sided Jacobi (Hestenes): plane rotations
 * make the columns pairwise orthogonal; their norms are then the singular values.
 * Accurate for small values too (no squaring as in the eigenvalues of MᵀM). Meant
 * for small matrices (the r×r core); cost grows as cols² · rows per sweep.
 */
export function singularValues(m: Matrix, { tolerance = 1e-15, maxSweeps = 60 } = {}): number[] {
  const work = m.rows >= m.cols ? m : transpose(m)
  const { rows, cols } = work
  const a = Float64Array.from(work.data)
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        let alpha = 0, beta = 0, gamma = 0
        for (let i = 0; i < rows; i++) {
          const x = a[i * cols + p]!, y = a[i * cols + q]!
          alpha += x * x
          beta += y * y
          gamma += x * y
        }
        if (gamma === 0 || Math.abs(gamma) <= tolerance * Math.sqrt(alpha * beta)) continue
        rotated = true
        const zeta = (beta - alpha) / (2 * gamma)
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
        const c = 1 / Math.sqrt(1 + t * t)
        const s = c * t
        for (let i = 0; i < rows; i++) {
          const x = a[i * cols + p]!, y = a[i * cols + q]!
          a[i * cols + p] = c * x - s * y
          a[i * cols + q] = s * x + c * y
        }
      }
    }
    if (!rotated) break
  }
  const values: number[] = []
  for (let j = 0; j < cols; j++) {
    let norm = 0
    for (let i = 0; i < rows; i++) norm += a[i * cols + j]! ** 2
    values.push(Math.sqrt(norm))
  }
  return values.sort((x, y) => y - x)
}

/**
 * Singular values of scaling · B · A for B [out, r] and A [r, in], from the r×r
 * core R_B R_Aᵀ: the cost depends on r, never on out × in.
 */
export function lowRankSingularValues(b: Matrix, a: Matrix, scaling = 1): number[] {
  if (b.cols !== a.rows) throw new Error(`B is ${b.rows}x${b.cols} and A is ${a.rows}x${a.cols}: their inner dimensions differ`)
  const rank = b.cols
  if (b.rows < rank || a.cols < rank) return singularValues(scale(multiply(b, a), scaling))
  const core = multiply(qrR(b), transpose(qrR(transpose(a))))
  return singularValues(scale(core, scaling))
}

function scale(m: Matrix, factor: number): Matrix {
  return { ...m, data: m.data.map((value) => value * factor) }
}
