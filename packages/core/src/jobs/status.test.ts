import { describe, expect, it } from 'vitest'
import { rollUpStatus } from './status'

describe('rollUpStatus', () => {
  it.each([
    [['queued', 'queued'], 'queued'],
    [['queued', 'succeeded'], 'running'],
    [['running', 'failed'], 'running'],
    [['succeeded', 'failed', 'cancelled'], 'failed'],
    [['succeeded', 'cancelled'], 'cancelled'],
    [['succeeded', 'succeeded'], 'succeeded'],
  ] as const)('%j -> %s', (members, expected) => {
    expect(rollUpStatus(members)).toBe(expected)
  })
})
