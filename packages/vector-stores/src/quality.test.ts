import { describe, expect, it } from 'vitest'
import { knnAccuracy, knnVote, recallAtK } from './quality'

const m = (id: string, label: string, score: number) => ({ id, label, score })

describe('knnVote', () => {
  it('takes the majority of the first k, the nearest alone at k = 1', () => {
    const matches = [m('a', 'card', 0.9), m('b', 'topup', 0.8), m('c', 'topup', 0.7), m('d', 'card', 0.1), m('e', 'card', 0.1)]
    expect(knnVote(matches, 1)).toBe('card')
    expect(knnVote(matches, 3)).toBe('topup')
    expect(knnVote(matches, 5)).toBe('card')
  })

  it('breaks a tie in count by summed score, then by the nearest', () => {
    expect(knnVote([m('a', 'x', 0.5), m('b', 'y', 0.9), m('c', 'x', 0.5), m('d', 'y', 0.2)], 4)).toBe('y')
    expect(knnVote([m('a', 'x', 0.5), m('b', 'y', 0.5)], 2)).toBe('x')
    expect(knnVote([], 3)).toBeUndefined()
  })
})

describe('knnAccuracy', () => {
  it('is the share of queries whose vote is their label, per k', () => {
    const results = [
      { label: 'card', matches: [m('a', 'card', 1), m('b', 'topup', 0.9), m('c', 'topup', 0.8)] },
      { label: 'topup', matches: [m('d', 'topup', 1), m('e', 'topup', 0.9), m('f', 'card', 0.8)] },
    ]
    expect(knnAccuracy(results, [1, 3])).toEqual({ 1: 1, 3: 0.5 })
  })
})

describe('recallAtK', () => {
  it('counts the exact neighbours found in the first k, by id, averaged over queries', () => {
    const exact = [[m('a', 'x', 1), m('b', 'x', 0.9)], [m('c', 'x', 1), m('d', 'x', 0.9)]]
    expect(recallAtK(exact, exact, 2)).toBe(1)
    expect(recallAtK([[m('b', 'x', 1), m('z', 'x', 0.9)], [m('d', 'x', 1), m('c', 'x', 0.9)]], exact, 2)).toBe(0.75)
    expect(() => recallAtK([], exact, 2)).toThrow(/2 exact/)
  })
})
