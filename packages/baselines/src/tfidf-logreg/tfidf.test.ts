import { describe, expect, it } from 'vitest'
import { TfidfVectorizer } from './tfidf'

const splitOnSpace = (text: string): string[] => text.split(' ')

describe('TfidfVectorizer', () => {
  const vectorizer = TfidfVectorizer.fit(['a b a', 'a c', 'c'], splitOnSpace)

  it('uses smooth idf: ln((1 + n) / (1 + df)) + 1', () => {
    expect(vectorizer.state.vocabulary).toEqual(['a', 'b', 'c'])
    const [idfA, idfB, idfC] = vectorizer.state.idf
    expect(idfA).toBeCloseTo(Math.log(4 / 3) + 1, 12)
    expect(idfB).toBeCloseTo(Math.log(4 / 2) + 1, 12)
    expect(idfC).toBeCloseTo(Math.log(4 / 3) + 1, 12)
  })

  it('weighs sublinear tf (1 + ln count) by idf and scales each row to unit length', () => {
    // "a b a": a = (1 + ln 2) * idf(a), b = 1 * idf(b), then divided by the row's L2 norm.
    const a = (1 + Math.log(2)) * (Math.log(4 / 3) + 1)
    const b = Math.log(2) + 1
    const norm = Math.sqrt(a * a + b * b)
    const matrix = vectorizer.transform(['a b a', 'c a', 'c'])
    expect(Array.from(matrix.rowStarts)).toEqual([0, 2, 4, 5])
    expect(Array.from(matrix.columns)).toEqual([0, 1, 0, 2, 2])
    const expected = [a / norm, b / norm, Math.SQRT1_2, Math.SQRT1_2, 1]
    matrix.values.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 12))
    // The same figures scikit-learn's TfidfVectorizer(sublinear_tf=True) gives.
    expect(matrix.values[0]).toBeCloseTo(0.7898069290660905, 12)
  })

  it('ignores unseen terms and drops terms below minDf', () => {
    expect(vectorizer.transform(['zebra']).values).toHaveLength(0)
    expect(TfidfVectorizer.fit(['a b a', 'a c', 'c'], splitOnSpace, 2).state.vocabulary).toEqual(['a', 'c'])
  })
})
