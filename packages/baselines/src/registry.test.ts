import { seededRandom } from '@bankbench/data'
import { describe, expect, it } from 'vitest'
import { BASELINE_METHODS, loadBaseline, trainBaseline } from './registry'
import { loadSavedBaseline } from './saved'
import type { Example } from './types'

/** Short banking-like texts: each intent has its own keywords, mixed with shared filler. */
function syntheticIntents(count: number, seed: number): Example[] {
  const keywords: Record<string, string[]> = {
    card_arrival: ['card', 'arrived', 'delivery', 'post'],
    exchange_rate: ['exchange', 'rate', 'currency', 'euros'],
    top_up: ['top', 'up', 'add', 'money'],
  }
  const filler = ['my', 'please', 'how', 'do', 'the', 'when', 'is', 'why', 'can', 'you']
  const random = seededRandom(seed)
  const pick = (words: string[]): string => words[Math.floor(random() * words.length)]!
  const labels = Object.keys(keywords)
  return Array.from({ length: count }, (_, index) => {
    const label = labels[index % labels.length]!
    const words = [pick(filler), pick(keywords[label]!), pick(filler), pick(keywords[label]!), pick(filler)]
    return { text: words.join(' '), label }
  })
}

const labels = ['card_arrival', 'exchange_rate', 'top_up']
const train = syntheticIntents(90, 1)
const test = syntheticIntents(60, 2)

describe('random baseline', () => {
  it('is deterministic per seed and text, whatever the batch', () => {
    const classifier = trainBaseline('random', train, labels, { seed: 7 })
    const texts = test.map((example) => example.text)
    const alone = texts.map((text) => classifier.predict([text])[0])
    expect(classifier.predict(texts)).toEqual(alone)
    expect(trainBaseline('random', train, labels, { seed: 7 }).predict(texts)).toEqual(alone)
    expect(trainBaseline('random', train, labels, { seed: 8 }).predict(texts)).not.toEqual(alone)
  })

  it('spreads texts about evenly over the labels', () => {
    const manyLabels = Array.from({ length: 10 }, (_, index) => `label_${index}`)
    const classifier = trainBaseline('random', [], manyLabels, { seed: 3 })
    const texts = Array.from({ length: 5000 }, (_, index) => `query number ${index}`)
    const predictions = classifier.predict(texts)
    expect(new Set(predictions.map((prediction) => prediction.confidence))).toEqual(new Set([0.1]))
    const counts = new Map<string, number>()
    for (const { label } of predictions) counts.set(label, (counts.get(label) ?? 0) + 1)
    expect(counts.size).toBe(10)
    // 500 expected per label; the binomial standard deviation is about 21.
    for (const count of counts.values()) expect(Math.abs(count - 500)).toBeLessThan(100)
  })
})

describe('majority baseline', () => {
  it('always predicts the most frequent training label with its share as confidence', () => {
    const skewed: Example[] = [
      { text: 'a', label: 'top_up' }, { text: 'b', label: 'card_arrival' }, { text: 'c', label: 'top_up' },
    ]
    const predictions = trainBaseline('majority', skewed, labels, { seed: 0 }).predict(['x', 'y'])
    expect(predictions).toEqual([{ label: 'top_up', confidence: 2 / 3 }, { label: 'top_up', confidence: 2 / 3 }])
  })

  it('breaks ties by the order of the labels', () => {
    const tied: Example[] = [{ text: 'a', label: 'top_up' }, { text: 'b', label: 'exchange_rate' }]
    expect(trainBaseline('majority', tied, labels, { seed: 0 }).predict(['x'])[0]!.label).toBe('exchange_rate')
  })
})

describe('tfidf-logreg baseline', () => {
  it('separates intents it has not seen the exact wording of', () => {
    const classifier = trainBaseline('tfidf-logreg', train, labels, { seed: 0 })
    const predictions = classifier.predict(test.map((example) => example.text))
    const correct = predictions.filter((prediction, index) => prediction.label === test[index]!.label).length
    expect(correct).toBe(test.length)
    for (const { confidence } of predictions) expect(confidence).toBeGreaterThan(1 / 3)
  })

  it('reports its training objective falling, one call per iteration', () => {
    const losses: number[] = []
    trainBaseline('tfidf-logreg', train, labels, { seed: 0, maxIterations: 5, onIteration: (_, loss) => losses.push(loss) })
    expect(losses).toHaveLength(5)
    expect(losses[4]).toBeLessThan(losses[0]!)
  })
})

describe('loadBaseline', () => {
  it.each(BASELINE_METHODS)('restores %s from JSON text with identical predictions', (method) => {
    const classifier = trainBaseline(method, train, labels, { seed: 11 })
    const restored = loadBaseline(JSON.parse(JSON.stringify(classifier)))
    const texts = [...test.map((example) => example.text), 'something else entirely', '']
    expect(restored.method).toBe(method)
    expect(restored.predict(texts)).toEqual(classifier.predict(texts))
  })

  it.each(BASELINE_METHODS)('%s gives every label\'s probability when asked, the top one its confidence', (method) => {
    const classifier = trainBaseline(method, train, labels, { seed: 11 })
    const texts = test.slice(0, 5).map((example) => example.text)
    const scored = classifier.predict(texts, { scores: true })
    expect(scored.map(({ label, confidence }) => ({ label, confidence }))).toEqual(classifier.predict(texts))
    for (const prediction of scored) {
      expect(prediction.scores).toHaveLength(classifier.labels.length)
      expect(prediction.scores![classifier.labels.indexOf(prediction.label)]).toBeCloseTo(prediction.confidence, 12)
      expect(Math.max(...prediction.scores!)).toBeCloseTo(prediction.confidence, 12)
    }
    // The majority baseline keeps only its label; the others every label.
    expect(classifier.labels).toEqual(method === 'majority' ? [scored[0]!.label] : labels)
    if (method !== 'majority') for (const { scores } of scored) expect(scores!.reduce((sum, score) => sum + score, 0)).toBeCloseTo(1, 6)
  })

  it('restores a saved model.json of any baseline kind (loadSavedBaseline)', () => {
    const classifier = trainBaseline('tfidf-logreg', train, labels, { seed: 0 })
    const saved = loadSavedBaseline(JSON.parse(JSON.stringify(classifier.toJSON())))
    expect(saved.kind).toBe('text')
    const texts = test.map((example) => example.text)
    expect(saved.kind === 'text' && saved.classifier.predict(texts)).toEqual(classifier.predict(texts))
    expect(() => loadSavedBaseline({ method: 'llm-api' })).toThrow(/Not a saved baseline: method "llm-api"/)
  })

  it('rejects unknown methods and versions with a message that says what was expected', () => {
    expect(() => loadBaseline({ method: 'svm' })).toThrow(/Unknown baseline method "svm"; expected one of random, majority, tfidf-logreg/)
    expect(() => loadBaseline({ method: 'majority', version: 9 })).toThrow(/version 9; this code reads version 1/)
  })

  it('refuses training labels outside the label set', () => {
    expect(() => trainBaseline('majority', [{ text: 'a', label: 'other' }], labels, { seed: 0 })).toThrow(/"other" is not in the 3 labels/)
  })
})
