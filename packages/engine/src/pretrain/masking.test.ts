import { seededRandom } from '@bankbench/data'
import { describe, expect, it } from 'vitest'
import { IGNORED_LABEL, maskTokens } from './masking'

const MASK = 4
const PAD = 0
const CLS = 2
const SEP = 3

/** 200 rows of [CLS] 10..59 [SEP] [PAD] [PAD]. */
function batch() {
  const row = [CLS, ...Array.from({ length: 50 }, (_, index) => 10 + index), SEP, PAD, PAD]
  const rows = 200
  const inputIds = Int32Array.from({ length: rows * row.length }, (_, index) => row[index % row.length]!)
  const attentionMask = inputIds.map((id) => (id === PAD ? 0 : 1))
  return { inputIds, attentionMask, batchSize: rows, sequenceLength: row.length }
}

describe('maskTokens', () => {
  const options = { maskTokenId: MASK, vocabSize: 1000, specialTokenIds: [PAD, CLS, SEP] }

  it('chooses ~15% of real tokens, then 80% [MASK], 10% random, 10% unchanged', () => {
    const input = batch()
    const { inputIds, labels } = maskTokens(input, options, seededRandom(1))
    const chosen = [...labels.keys()].filter((position) => labels[position] !== IGNORED_LABEL)
    const realTokens = 200 * 50
    expect(chosen.length / realTokens).toBeCloseTo(0.15, 2)
    const masked = chosen.filter((position) => inputIds[position] === MASK).length / chosen.length
    const unchanged = chosen.filter((position) => inputIds[position] === input.inputIds[position]).length / chosen.length
    expect(masked).toBeCloseTo(0.8, 1)
    expect(unchanged).toBeGreaterThan(0.07) // 10%, plus the rare random draw of the same id
    expect(unchanged).toBeLessThan(0.13)
    for (const position of chosen) expect(labels[position]).toBe(input.inputIds[position])
  })

  it('never chooses special tokens or padding, and leaves the other positions alone', () => {
    const input = batch()
    const { inputIds, labels } = maskTokens(input, options, seededRandom(2))
    const violations: number[] = []
    for (let position = 0; position < labels.length; position++) {
      const original = input.inputIds[position]!
      const chosen = labels[position] !== IGNORED_LABEL
      if ((chosen && [PAD, CLS, SEP].includes(original)) || (!chosen && inputIds[position] !== original)) violations.push(position)
    }
    expect(violations).toEqual([])
  })

  it('chooses at least one token even when the draw picks none', () => {
    const tiny = { inputIds: Int32Array.from([CLS, 11, SEP]), attentionMask: Int32Array.from([1, 1, 1]), batchSize: 1, sequenceLength: 3 }
    const { labels } = maskTokens(tiny, { ...options, probability: 0 }, seededRandom(3))
    expect([...labels]).toEqual([IGNORED_LABEL, 11, IGNORED_LABEL])
  })

  it('is reproducible for a seed', () => {
    expect(maskTokens(batch(), options, seededRandom(5))).toEqual(maskTokens(batch(), options, seededRandom(5)))
  })
})
