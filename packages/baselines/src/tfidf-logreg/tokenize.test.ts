import { describe, expect, it } from 'vitest'
import { charWbNgrams, wordNgrams } from './tokenize'

// Expected lists are scikit-learn 1.2's CountVectorizer(...).build_analyzer() output.
describe('wordNgrams', () => {
  it('lowercases, keeps tokens of 2+ word characters and joins bigrams with a space', () => {
    expect(wordNgrams([1, 2])('I lost my Card, card! £5 top_up')).toEqual([
      'lost', 'my', 'card', 'card', 'top_up',
      'lost my', 'my card', 'card card', 'card top_up',
    ])
  })
})

describe('charWbNgrams', () => {
  it('pads each word with spaces and emits a short word once', () => {
    expect(charWbNgrams([2, 4])('Hi  a Card?')).toEqual([
      ' h', 'hi', 'i ', ' hi', 'hi ', ' hi ',
      ' a', 'a ', ' a ',
      ' c', 'ca', 'ar', 'rd', 'd?', '? ', ' ca', 'car', 'ard', 'rd?', 'd? ', ' car', 'card', 'ard?', 'rd? ',
    ])
  })
})
