import { describe, expect, it } from 'vitest'
import { loadNluppBanking } from './nlupp'

describe('loadNluppBanking', () => {
  const utterances = loadNluppBanking()

  it('reads the 2,071 utterances of the 20 folds', () => {
    expect(utterances).toHaveLength(2071)
    expect(new Set(utterances.map((utterance) => utterance.fold))).toEqual(new Set(Array.from({ length: 20 }, (_, fold) => fold)))
    expect(utterances[0]).toEqual({ text: 'How long does it usually take to get a new pin?', intents: ['how_long', 'pin', 'arrival', 'new'], slots: [], fold: 0 })
  })

  it('keeps each slot as the character span of the text it names', () => {
    const slots = utterances.flatMap((utterance) => utterance.slots.map((slot) => ({ utterance, slot })))
    expect(slots.length).toBeGreaterThan(500)
    for (const { utterance, slot } of slots) expect(utterance.text.slice(slot.start, slot.end)).toBe(slot.text)
    expect(utterances[1]!.slots).toContainEqual({ name: 'time_to', text: '25 to 7 p.m.', start: 50, end: 62 })
  })
})
