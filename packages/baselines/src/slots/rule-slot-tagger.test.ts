import { describe, expect, it } from 'vitest'
import { RuleSlotTagger } from './rule-slot-tagger'

const TYPES = ['amount_of_money', 'company_name', 'date', 'date_from', 'date_to', 'date_period', 'person_name', 'time', 'time_from', 'time_to', 'time_period']

function spansOf(tagger: RuleSlotTagger, text: string): [string, string][] {
  return tagger.predict([text])[0]!.map((span) => [span.type, text.slice(span.start, span.end)])
}

describe('RuleSlotTagger', () => {
  const tagger = RuleSlotTagger.fit([
    { text: 'pay guy kephart at Deliveroo', spans: [{ type: 'person_name', start: 4, end: 15 }, { type: 'company_name', start: 19, end: 28 }] },
  ], TYPES)

  it('finds money, dates and times by pattern', () => {
    expect(spansOf(tagger, 'I sent $1,200.50 yesterday at 12:45 p.m.')).toEqual([['amount_of_money', '$1,200.50'], ['date', 'yesterday'], ['time', '12:45 p.m.']])
    expect(spansOf(tagger, 'a refund of 73 pounds on the 7th of Jan 2018')).toEqual([['amount_of_money', '73 pounds'], ['date', '7th of Jan 2018']])
    expect(spansOf(tagger, 'what did I spend this month')).toEqual([['date_period', 'this month']])
    expect(spansOf(tagger, 'blocked since this morning')).toEqual([['time_period', 'morning']])
  })

  it('types the ends of a range by the words before them', () => {
    expect(spansOf(tagger, 'transactions from the 3rd to the 16th of June')).toEqual([['date_from', '3rd'], ['date_to', '16th of June']])
    expect(spansOf(tagger, 'move it from 9:05 a.m. to half past 11 p.m.')).toEqual([['time_from', '9:05 a.m.'], ['time_to', 'half past 11 p.m.']])
    // "to" without a start before it is not the end of a range.
    expect(spansOf(tagger, 'send it to me on Monday')).toEqual([['date', 'Monday']])
  })

  it('finds gazetteer values from training whole-word and case-insensitively, longest match first', () => {
    expect(spansOf(tagger, 'cancel my DELIVEROO order for Guy Kephart')).toEqual([['company_name', 'DELIVEROO'], ['person_name', 'Guy Kephart']])
    expect(spansOf(tagger, 'deliverooing is not a word')).toEqual([])
    expect(tagger.gazetteerSize).toBe(2)
  })

  it('restores from its JSON form to identical predictions', () => {
    const text = 'pay Guy Kephart 40€ at deliveroo from the 3rd to the 5th'
    const restored = RuleSlotTagger.fromJSON(JSON.parse(JSON.stringify(tagger.toJSON())))
    expect(restored.predict([text])).toEqual(tagger.predict([text]))
    expect(restored.predict([text])[0]).toHaveLength(5)
  })
})
