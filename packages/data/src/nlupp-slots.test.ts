import { describe, expect, it } from 'vitest'
import { NLUPP_HELD_OUT_FOLDS } from './nlupp'
import { nluppSlotSplit } from './nlupp-slots'

describe('nluppSlotSplit', () => {
  it('trains on folds 0-13, validates on 14 and tests on the held-out folds 15-19 only', () => {
    const split = nluppSlotSplit()
    expect(split.folds).toEqual({ train: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], validation: [14], test: [15, 16, 17, 18, 19] })
    expect(split.folds.test.every((fold) => NLUPP_HELD_OUT_FOLDS.has(fold))).toBe(true)
    expect(split.train.length + split.validation.length + split.test.length).toBe(2071)
    expect(split.slotTypes).toHaveLength(13)
    // Every span covers the text NLU++ annotated (half-open character ranges).
    for (const utterance of [...split.train, ...split.test]) {
      for (const span of utterance.spans) expect(span.end).toBeGreaterThan(span.start)
    }
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([1450, 101, 520])
    // NLU++ repeats a few utterances across folds: 2 training texts also occur in the test folds.
    const testTexts = new Set(split.test.map((utterance) => utterance.text))
    expect(split.train.filter((utterance) => testTexts.has(utterance.text))).toHaveLength(2)
  })
})
