import { describe, expect, it } from 'vitest'
import { ProblemError } from '../errors'
import { parseUploadedDataset } from './upload'

const encode = (text: string) => new TextEncoder().encode(text)
const csvOf = (rows: [string, string][]) => ['text,label', ...rows.map(([text, label]) => `"${text}",${label}`)].join('\n')
const rows = (count: number): [string, string][] => Array.from({ length: count }, (_, i) => [`message number ${i}`, i % 2 ? 'card_lost' : 'balance'])

function problemOf(run: () => unknown): ProblemError {
  try { run() } catch (error) { if (error instanceof ProblemError) return error; throw error }
  throw new Error('expected a ProblemError')
}

describe('parseUploadedDataset', () => {
  it('splits a valid CSV into train, validation and test with every row kept', () => {
    const splits = parseUploadedDataset(encode(csvOf(rows(100))))
    expect(splits.labels).toEqual(['balance', 'card_lost'])
    expect(splits.test).toHaveLength(10)
    expect(splits.validation).toHaveLength(10)
    expect(splits.train).toHaveLength(80)
  })

  it('honours a split column', () => {
    const csv = ['text,label,split', ...rows(30).map(([t, l], i) => `${t},${l},${i < 5 ? 'test' : i < 10 ? 'validation' : 'train'}`)].join('\r\n')
    const splits = parseUploadedDataset(encode(csv))
    expect([splits.train.length, splits.validation.length, splits.test.length]).toEqual([20, 5, 5])
  })

  it('keeps a reply column on every example, out_of_scope rows may leave it empty', () => {
    const csv = ['text,label,reply', ...rows(30).map(([t, l]) => `${t},${l},"Reply for ${l}, as the bank writes it"`), 'what is the weather,out_of_scope,'].join('\n')
    const splits = parseUploadedDataset(encode(csv))
    for (const example of [...splits.train, ...splits.validation, ...splits.test]) expect(example.reply).toBe(`Reply for ${example.label}, as the bank writes it`)
    expect(splits.outOfScope?.validation.concat(splits.outOfScope.test)).toEqual(['what is the weather'])
    // An empty reply column is a dataset without replies.
    const empty = parseUploadedDataset(encode(['text,label,reply', ...rows(30).map(([t, l]) => `${t},${l},`)].join('\n')))
    expect(empty.train.every((example) => !('reply' in example))).toBe(true)
  })

  it('refuses replies on some in-scope rows only, naming the lines without one', () => {
    const csv = ['text,label,reply', ...rows(30).map(([t, l], i) => `${t},${l},${i === 3 || i === 7 ? '' : 'a reply'}`)].join('\n')
    const problem = problemOf(() => parseUploadedDataset(encode(csv)))
    expect(problem.code).toBe('validation-failed')
    expect(problem.errors?.map((error) => error.path)).toEqual(['line 5', 'line 9'])
    expect(problem.message).toMatch(/reply is empty; the column reply must be filled on every row that is not out_of_scope \(28 of 30 are\), or on none/)
  })

  it('refuses a file without a label column', () => {
    const problem = problemOf(() => parseUploadedDataset(encode('text,intent\nhello,greet\n')))
    expect(problem.status).toBe(400)
    expect(problem.message).toContain('text and label')
  })

  it('refuses invalid UTF-8', () => {
    expect(problemOf(() => parseUploadedDataset(new Uint8Array([0x74, 0x65, 0xff, 0xfe]))).message).toContain('UTF-8')
  })

  it('reports empty fields and a repeated header with line numbers', () => {
    const csv = `${csvOf(rows(30))}\n,balance\nhello,\ntext,label\n`
    const problem = problemOf(() => parseUploadedDataset(encode(csv)))
    expect(problem.errors?.map((e) => e.path)).toEqual(['line 32', 'line 33', 'line 34'])
    expect(problem.message).toContain('header is repeated')
  })

  it('skips blank lines', () => {
    expect(parseUploadedDataset(encode(`${csvOf(rows(30))}\n\n\n`)).train.length).toBe(24)
  })

  it('enforces the label count and size limits', () => {
    const oneLabel = ['text,label', ...Array.from({ length: 30 }, (_, i) => `m${i},only`)].join('\n')
    expect(problemOf(() => parseUploadedDataset(encode(oneLabel))).message).toContain('at least 2 are needed')
    const huge = new Uint8Array(50 * 1024 * 1024)
    const problem = problemOf(() => parseUploadedDataset(huge))
    expect(problem.status).toBe(413)
  })

  it('keeps rows labelled out_of_scope apart: not a class, half for validation and half for test', () => {
    const csv = csvOf([...rows(100), ...Array.from({ length: 7 }, (_, i): [string, string] => [`something else ${i}`, 'out_of_scope'])])
    const splits = parseUploadedDataset(encode(csv))
    expect(splits.labels).toEqual(['balance', 'card_lost'])
    // The in-scope rows split exactly as a file without out-of-scope rows.
    expect(splits.train).toEqual(parseUploadedDataset(encode(csvOf(rows(100)))).train)
    expect([...splits.train, ...splits.validation, ...splits.test].map((example) => example.label)).not.toContain('out_of_scope')
    expect([splits.outOfScope!.validation.length, splits.outOfScope!.test.length]).toEqual([4, 3])
    expect([...splits.outOfScope!.validation, ...splits.outOfScope!.test].sort()).toEqual(Array.from({ length: 7 }, (_, i) => `something else ${i}`))
  })

  it('keeps the split column of out_of_scope rows; training ones calibrate with the validation ones (nothing dropped)', () => {
    const oos = ['train', 'validation', 'validation', 'test'].map((split, i) => `elsewhere ${i},out_of_scope,${split}`)
    const csv = ['text,label,split', ...rows(30).map(([t, l], i) => `${t},${l},${i < 5 ? 'test' : i < 10 ? 'validation' : 'train'}`), ...oos].join('\n')
    const splits = parseUploadedDataset(encode(csv))
    expect(splits.outOfScope).toEqual({ validation: ['elsewhere 0', 'elsewhere 1', 'elsewhere 2'], test: ['elsewhere 3'] })
    expect([splits.train.length, splits.validation.length, splits.test.length]).toEqual([20, 5, 5])
  })

  it('counts only in-scope rows and labels towards the minimums', () => {
    const csv = csvOf([...rows(10), ...Array.from({ length: 20 }, (_, i): [string, string] => [`other ${i}`, 'out_of_scope'])])
    expect(problemOf(() => parseUploadedDataset(encode(csv))).message).toBe('the file has 10 rows (besides 20 out_of_scope); at least 20 are needed')
    expect(parseUploadedDataset(encode(csvOf(rows(30)))).outOfScope).toBeUndefined()
  })
})
