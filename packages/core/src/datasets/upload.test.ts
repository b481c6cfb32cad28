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
})
