/**
 * A plain-text table with columns padded to their widest cell. A row shorter than the header
 * ends in a note that runs on across the columns it leaves out (why a run has no figures):
 * the note widens no column.
 */
export function formatTable(header: string[], rows: string[][]): string {
  const cellWidth = (row: string[], column: number) => (row.length < header.length && column === row.length - 1 ? 0 : (row[column] ?? '').length)
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => cellWidth(row, column))))
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}
