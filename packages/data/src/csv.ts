/**
 * RFC 4180 CSV parsing: quoted fields, escaped quotes (""), CRLF or LF line ends,
 * newlines inside quotes. Returns rows of raw strings; callers validate columns.
 */
export class CsvSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} (line ${line})`)
    this.name = 'CsvSyntaxError'
  }
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let inQuotes = false
  let line = 1
  let fieldStarted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (inQuotes) {
      if (char === '"') {
        if (text[i + 1] === '"') { field += '"'; i++ } else inQuotes = false
      } else {
        if (char === '\n') line++
        field += char
      }
      continue
    }
    if (char === '"') {
      if (field.length > 0) throw new CsvSyntaxError('a quote inside an unquoted field', line)
      inQuotes = true
      fieldStarted = true
    } else if (char === ',') {
      row.push(field); field = ''; fieldStarted = false
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++
      row.push(field); rows.push(row)
      row = []; field = ''; fieldStarted = false
      line++
    } else {
      field += char
      fieldStarted = true
    }
  }
  if (inQuotes) throw new CsvSyntaxError('a quoted field is never closed', line)
  if (fieldStarted || field.length > 0 || row.length > 0) { row.push(field); rows.push(row) }
  return rows
}
