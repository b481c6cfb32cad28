import { describe, expect, it } from 'vitest'
import { ProblemError } from '../errors'
import { decodeCursor, encodeCursor } from './pagination'

const forge = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url')

describe('page cursors', () => {
  it('decode what they encode', () => {
    const row = { createdAt: new Date('2026-03-01T12:34:56.789Z'), id: 'bm_3f9c2a71d04e4b6a9c1e' }
    expect(decodeCursor(encodeCursor(row))).toEqual(row)
  })

  it.each([
    ['an id with NUL', ['2026-01-01T00:00:00.000Z', 'bm_\u0000']],
    ['an id with a control character', ['2026-01-01T00:00:00.000Z', 'bm_\u001b']],
    ['a year before Postgres can store it', ['-271821-04-20T00:00:00.000Z', 'bm_x']],
    ['a year past 9999', ['+275760-09-13T00:00:00.000Z', 'bm_x']],
    ['year 0', ['0000-01-01T00:00:00.000Z', 'bm_x']],
    ['a date that is not an ISO timestamp', ['1 January 2026', 'bm_x']],
    ['a number for the time', [1e308, 'bm_x']],
    ['a huge id', ['2026-01-01T00:00:00.000Z', 'x'.repeat(5000)]],
    ['an empty id', ['2026-01-01T00:00:00.000Z', '']],
    ['three parts', ['2026-01-01T00:00:00.000Z', 'bm_x', 'more']],
    ['an object', { createdAt: '2026-01-01T00:00:00.000Z', id: 'bm_x' }],
  ])('refuse a forged cursor with %s as a 400, before any query', (_, parts) => {
    expect(() => decodeCursor(forge(parts))).toThrow(ProblemError)
    expect(() => decodeCursor(forge(parts))).toThrow(/cursor is not one this API returned/)
  })

  it('refuse text that is not base64url JSON', () => {
    for (const cursor of ['', '!!!', 'bm_x', '%00']) expect(() => decodeCursor(cursor)).toThrow(ProblemError)
  })
})
