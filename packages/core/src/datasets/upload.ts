import { ProblemError } from '../errors'
import { CsvSyntaxError, OUT_OF_SCOPE_LABEL, parseCsv, redactPii, seededShuffle, type DatasetSplits, type Example } from '@bankbench/data'

export const UPLOAD_LIMITS = {
  maxBytes: 10 * 1024 * 1024,
  minRows: 20,
  maxRows: 200_000,
  minLabels: 2,
  maxLabels: 1000,
  maxTextLength: 2000,
  maxLabelLength: 100,
  /** Fraction of rows held out for test and validation when the CSV has no split column. */
  testFraction: 0.1,
  validationFraction: 0.1,
  splitSeed: 77,
} as const

/** Labels are names (stored as JSON in the database, shown in reports): no control characters. Texts may hold tabs and newlines. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER_IN_LABEL = /[\u0000-\u001f\u007f]/

/**
 * A cell quoted back in a problem: it may be a customer message (a file without a
 * header, a shifted column), so it is redacted, stripped of control characters and cut.
 */
function echoCell(cell: string, maxLength = 80): string {
  // eslint-disable-next-line no-control-regex
  const clean = redactPii(cell).replace(/[\u0000-\u001f\u007f]/g, ' ')
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean
}

/** A valid row, with its split and its line (for the reply check) while the file is read. */
type UploadedRow = Example & { split?: string; line: number }

/**
 * A `reply` column is all or nothing: every in-scope row has the bank's reply, or none has (an empty column is
 * no replies). Out-of-scope rows may leave it empty: they are never a generation target. Problems name the lines.
 */
function replyProblems(rows: readonly UploadedRow[], hasReplyColumn: boolean): { path: string; message: string }[] {
  if (!hasReplyColumn) return []
  const inScope = rows.filter((row) => row.label !== OUT_OF_SCOPE_LABEL)
  const withReply = inScope.filter((row) => row.reply !== undefined).length
  if (withReply === 0 || withReply === inScope.length) return []
  return inScope.filter((row) => row.reply === undefined).map((row) => ({
    path: `line ${row.line}`,
    message: `reply is empty; the column reply must be filled on every row that is not ${OUT_OF_SCOPE_LABEL} (${withReply} of ${inScope.length} are), or on none`,
  }))
}

/**
 * Validates a bank's own CSV (`text,label`, optional `split` of train/validation/test, optional `reply`: the bank's reply to the message)
 * and returns its splits. Rows labelled `out_of_scope` are not a class: they come back
 * apart, as `outOfScope` (splitOutOfScope). Every problem found is reported with its line number, so
 * the user can fix the file in one pass.
 */
export function parseUploadedDataset(bytes: Uint8Array, limits = UPLOAD_LIMITS): DatasetSplits {
  if (bytes.byteLength === 0) throw new ProblemError('validation-failed', 'the uploaded file is empty')
  if (bytes.byteLength > limits.maxBytes) {
    throw new ProblemError('payload-too-large', `the upload is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes} bytes (${limits.maxBytes / 1024 / 1024} MiB)`)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw new ProblemError('validation-failed', 'the file is not valid UTF-8; save it as UTF-8 CSV')
  }
  let rows: string[][]
  try {
    rows = parseCsv(text)
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ProblemError('validation-failed', `the CSV is malformed: ${error.message}`)
    throw error
  }
  const [header, ...body] = rows
  const columns = (header ?? []).map((name) => name.trim().toLowerCase())
  const textColumn = columns.indexOf('text')
  const labelColumn = columns.indexOf('label')
  const splitColumn = columns.indexOf('split')
  const replyColumn = columns.indexOf('reply')
  if (textColumn < 0 || labelColumn < 0) {
    throw new ProblemError('validation-failed', `the first line must be a header with the columns text and label (found: ${echoCell(columns.join(', ')) || 'nothing'})`)
  }
  const problems: { path: string; message: string }[] = []
  const examples: UploadedRow[] = []
  body.forEach((row, index) => {
    const line = index + 2
    if (row.every((cell) => cell.trim() === '')) return
    const rowText = (row[textColumn] ?? '').trim()
    const label = (row[labelColumn] ?? '').trim()
    if (row.map((cell) => cell.trim().toLowerCase()).join(',') === columns.join(',')) problems.push({ path: `line ${line}`, message: 'the header is repeated' })
    else if (row.length !== columns.length) problems.push({ path: `line ${line}`, message: `has ${row.length} fields, the header has ${columns.length}` })
    else if (!rowText) problems.push({ path: `line ${line}`, message: 'text is empty' })
    else if (!label) problems.push({ path: `line ${line}`, message: 'label is empty' })
    else if (rowText.length > limits.maxTextLength) problems.push({ path: `line ${line}`, message: `text is longer than ${limits.maxTextLength} characters` })
    else if (label.length > limits.maxLabelLength) problems.push({ path: `line ${line}`, message: `label is longer than ${limits.maxLabelLength} characters` })
    else if (CONTROL_CHARACTER_IN_LABEL.test(label)) {
      const found = label.match(CONTROL_CHARACTER_IN_LABEL)![0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')
      problems.push({ path: `line ${line}`, message: `label contains a control character (U+${found}); labels must not contain U+0000 to U+001F or U+007F` })
    }
    else {
      const reply = replyColumn >= 0 ? (row[replyColumn] ?? '').trim() : ''
      const split = splitColumn >= 0 ? (row[splitColumn] ?? '').trim().toLowerCase() : undefined
      if (split !== undefined && !['train', 'validation', 'test'].includes(split)) problems.push({ path: `line ${line}`, message: `split '${echoCell(split)}' is not train, validation or test` })
      else if (reply.length > limits.maxTextLength) problems.push({ path: `line ${line}`, message: `reply is longer than ${limits.maxTextLength} characters` })
      else examples.push({ text: rowText, label, line, ...(split ? { split } : {}), ...(reply ? { reply } : {}) })
    }
  })
  problems.push(...replyProblems(examples, replyColumn >= 0))
  if (problems.length > 0) {
    const shown = problems.slice(0, 20)
    throw new ProblemError('validation-failed', `${problems.length} row(s) are invalid: ${shown.map((p) => `${p.path}: ${p.message}`).join('; ')}${problems.length > shown.length ? '; …' : ''}`, shown)
  }
  // Rows labelled out_of_scope are not a class: they are kept apart (outOfScope), for calibration and its measurement.
  const inScope = examples.filter((example) => example.label !== OUT_OF_SCOPE_LABEL)
  const outOfScope = examples.filter((example) => example.label === OUT_OF_SCOPE_LABEL)
  const ofScope = outOfScope.length > 0 ? ` (besides ${outOfScope.length} ${OUT_OF_SCOPE_LABEL})` : ''
  if (inScope.length < limits.minRows) throw new ProblemError('validation-failed', `the file has ${inScope.length} rows${ofScope}; at least ${limits.minRows} are needed`)
  if (examples.length > limits.maxRows) throw new ProblemError('validation-failed', `the file has ${examples.length} rows; at most ${limits.maxRows} are allowed`)
  const labels = [...new Set(inScope.map((example) => example.label))].sort()
  if (labels.length < limits.minLabels) throw new ProblemError('validation-failed', `the file has ${labels.length} distinct label(s)${ofScope}; at least ${limits.minLabels} are needed`)
  if (labels.length > limits.maxLabels) throw new ProblemError('validation-failed', `the file has ${labels.length} distinct labels; at most ${limits.maxLabels} are allowed`)
  const splits = splitExamples(inScope, limits)
  if (outOfScope.length === 0) return { labels, ...splits }
  return { labels, ...splits, outOfScope: splitOutOfScope(outOfScope, limits) }
}

/**
 * Out-of-scope rows go to validation (calibration) and test (its measurement), never to
 * training: they are not a class a classifier could learn. With a split column they keep
 * theirs, and those marked train (or with no split) calibrate with the validation ones
 * rather than being dropped unseen; without, half go to validation (the odd one included)
 * and half to test, by the same seeded shuffle.
 */
function splitOutOfScope(rows: UploadedRow[], limits: typeof UPLOAD_LIMITS) {
  if (rows.some((row) => row.split)) {
    return {
      validation: rows.filter((row) => row.split !== 'test').map((row) => row.text),
      test: rows.filter((row) => row.split === 'test').map((row) => row.text),
    }
  }
  const shuffled = seededShuffle(rows, limits.splitSeed).map((row) => row.text)
  const validationSize = Math.ceil(shuffled.length / 2)
  return { validation: shuffled.slice(0, validationSize), test: shuffled.slice(validationSize) }
}

function splitExamples(examples: UploadedRow[], limits: typeof UPLOAD_LIMITS) {
  const strip = (list: UploadedRow[]) => list.map(({ text, label, reply }) => ({ text, label, ...(reply !== undefined && { reply }) }))
  if (examples.some((example) => example.split)) {
    const of = (split: string) => strip(examples.filter((example) => (example.split ?? 'train') === split))
    return { train: of('train'), validation: of('validation'), test: of('test') }
  }
  const shuffled = strip(seededShuffle(examples, limits.splitSeed))
  const testSize = Math.max(1, Math.round(shuffled.length * limits.testFraction))
  const validationSize = Math.max(1, Math.round(shuffled.length * limits.validationFraction))
  return {
    test: shuffled.slice(0, testSize),
    validation: shuffled.slice(testSize, testSize + validationSize),
    train: shuffled.slice(testSize + validationSize),
  }
}
