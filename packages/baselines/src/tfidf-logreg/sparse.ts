/**
 * Compressed sparse row matrix: row r's non-zeros are columns[rowStarts[r]..rowStarts[r+1])
 * with the matching values. Typed arrays keep the training loops free of objects.
 */
export interface CsrMatrix {
  rowCount: number
  columnCount: number
  /** rowCount + 1 offsets into `columns` and `values`. */
  rowStarts: Int32Array
  columns: Int32Array
  values: Float64Array
}

/** Builds a CSR matrix from per-row lists of (column, value) pairs. */
export function csrFromRows(rows: { columns: ArrayLike<number>; values: ArrayLike<number> }[], columnCount: number): CsrMatrix {
  const rowStarts = new Int32Array(rows.length + 1)
  for (let row = 0; row < rows.length; row++) rowStarts[row + 1] = rowStarts[row]! + rows[row]!.columns.length
  const nonZeros = rowStarts[rows.length]!
  const columns = new Int32Array(nonZeros)
  const values = new Float64Array(nonZeros)
  rows.forEach((row, index) => {
    columns.set(row.columns, rowStarts[index]!)
    values.set(row.values, rowStarts[index]!)
  })
  return { rowCount: rows.length, columnCount, rowStarts, columns, values }
}

/** Places matrices with the same rows side by side (scipy's hstack, sklearn's FeatureUnion). */
export function stackColumns(blocks: CsrMatrix[]): CsrMatrix {
  const rowCount = blocks[0]?.rowCount ?? 0
  if (blocks.some((block) => block.rowCount !== rowCount)) throw new Error('stackColumns: blocks differ in row count')
  const rowStarts = new Int32Array(rowCount + 1)
  for (let row = 0; row < rowCount; row++) {
    let rowLength = 0
    for (const block of blocks) rowLength += block.rowStarts[row + 1]! - block.rowStarts[row]!
    rowStarts[row + 1] = rowStarts[row]! + rowLength
  }
  const columns = new Int32Array(rowStarts[rowCount]!)
  const values = new Float64Array(rowStarts[rowCount]!)
  for (let row = 0; row < rowCount; row++) {
    let target = rowStarts[row]!
    let columnOffset = 0
    for (const block of blocks) {
      for (let entry = block.rowStarts[row]!; entry < block.rowStarts[row + 1]!; entry++) {
        columns[target] = block.columns[entry]! + columnOffset
        values[target] = block.values[entry]!
        target++
      }
      columnOffset += block.columnCount
    }
  }
  const columnCount = blocks.reduce((sum, block) => sum + block.columnCount, 0)
  return { rowCount, columnCount, rowStarts, columns, values }
}
