import type { CsrMatrix } from '@bankbench/baselines'

/** The given rows of a CSR matrix, in that order, as a new matrix. */
export function takeRows(matrix: CsrMatrix, rows: readonly number[]): CsrMatrix {
  const rowStarts = new Int32Array(rows.length + 1)
  rows.forEach((row, position) => {
    rowStarts[position + 1] = rowStarts[position]! + matrix.rowStarts[row + 1]! - matrix.rowStarts[row]!
  })
  const columns = new Int32Array(rowStarts[rows.length]!)
  const values = new Float64Array(rowStarts[rows.length]!)
  rows.forEach((row, position) => {
    const start = matrix.rowStarts[row]!
    const end = matrix.rowStarts[row + 1]!
    columns.set(matrix.columns.subarray(start, end), rowStarts[position]!)
    values.set(matrix.values.subarray(start, end), rowStarts[position]!)
  })
  return { rowCount: rows.length, columnCount: matrix.columnCount, rowStarts, columns, values }
}

/** Each row's L2 norm. */
export function rowNorms(matrix: CsrMatrix): Float32Array {
  const norms = new Float32Array(matrix.rowCount)
  for (let row = 0; row < matrix.rowCount; row++) {
    let squares = 0
    for (let entry = matrix.rowStarts[row]!; entry < matrix.rowStarts[row + 1]!; entry++) squares += matrix.values[entry]! ** 2
    norms[row] = Math.sqrt(squares)
  }
  return norms
}
