/**
 * Reference values from seqeval's own code (chakki-works/seqeval at commit cd01b521,
 * `seqeval.metrics` precision/recall/f1_score and classification_report, default mode,
 * run with python 3.11 on exactly these tag sequences).
 */
import { describe, expect, it } from 'vitest'
import { bioToSpans, spanF1 } from './span-f1'

const GOLD = [
  ['O', 'B-amount', 'I-amount', 'O', 'B-date', 'O'],
  ['B-time', 'I-time', 'O', 'B-person_name', 'O'],
  ['O', 'O', 'B-amount', 'O'],
  ['B-date', 'I-date', 'I-date', 'O'],
]
const PREDICTED = [
  ['O', 'B-amount', 'I-amount', 'O', 'B-date', 'I-date'],
  ['B-time', 'I-time', 'O', 'O', 'B-company_name'],
  ['O', 'O', 'B-amount', 'O'],
  ['I-date', 'I-date', 'I-date', 'O'],
]

describe('bioToSpans', () => {
  it('reads entities as seqeval get_entities does (an I- after O or another type starts one)', () => {
    // seqeval: [('a', 0, 1), ('a', 2, 2), ('b', 3, 3), ('b', 5, 5), ('c', 6, 6)] with inclusive ends.
    expect(bioToSpans(['I-a', 'I-a', 'B-a', 'I-b', 'O', 'I-b', 'B-c'])).toEqual([
      { type: 'a', start: 0, end: 2 }, { type: 'a', start: 2, end: 3 }, { type: 'b', start: 3, end: 4 }, { type: 'b', start: 5, end: 6 }, { type: 'c', start: 6, end: 7 },
    ])
  })
})

describe('spanF1', () => {
  it('matches seqeval micro, macro and per-type scores', () => {
    const report = spanF1(GOLD.map(bioToSpans), PREDICTED.map(bioToSpans))
    expect([report.microPrecision, report.microRecall, report.microF1].map((value) => Number(value.toFixed(12)))).toEqual([0.666666666667, 0.666666666667, 0.666666666667])
    expect([report.macroPrecision, report.macroRecall, report.macroF1]).toEqual([0.5, 0.5, 0.5])
    expect(report.perType.map(({ type, f1, support }) => [type, f1, support])).toEqual([
      ['amount', 1, 2], ['company_name', 0, 0], ['date', 0.5, 2], ['person_name', 0, 1], ['time', 1, 1],
    ])
    expect([report.goldEntities, report.predictedEntities, report.correctEntities]).toEqual([6, 6, 4])
  })

  it('scores character spans the same way and counts a boundary off by one as wrong', () => {
    const gold = [[{ type: 'amount', start: 9, end: 13 }]]
    expect(spanF1(gold, [[{ type: 'amount', start: 9, end: 13 }]]).microF1).toBe(1)
    expect(spanF1(gold, [[{ type: 'amount', start: 8, end: 13 }]]).microF1).toBe(0)
    expect(spanF1(gold, [[{ type: 'date', start: 9, end: 13 }]]).macroF1).toBe(0)
    expect(spanF1([[]], [[]]).microF1).toBe(0)
  })
})
