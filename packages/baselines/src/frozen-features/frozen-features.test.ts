import { seededRandom } from '@bankbench/data'
import { describe, expect, it } from 'vitest'
import { denseMatrix, type DenseMatrix } from './dense'
import { FEATURE_BASELINE_METHODS, loadFeatureBaseline, trainFeatureBaseline } from './registry'
import { loadSavedBaseline, saveFeatureBaseline, withEncoder } from '../saved'

const labels = ['card_arrival', 'exchange_rate', 'top_up']

/** Sentence-vector-like rows: one large vector every row shares, a small direction per class, noise. */
function clusters(perClass: number, seed: number): { features: DenseMatrix; rowLabels: string[] } {
  const columns = 8
  const random = seededRandom(seed)
  const common = Array.from({ length: columns }, (_, column) => 10 + column)
  const values: number[] = []
  const rowLabels: string[] = []
  for (let row = 0; row < perClass * labels.length; row++) {
    const labelIndex = row % labels.length
    for (let column = 0; column < columns; column++) {
      values.push(common[column]! + (column === labelIndex ? 1 : 0) + (random() - 0.5) * 0.6)
    }
    rowLabels.push(labels[labelIndex]!)
  }
  return { features: denseMatrix(perClass * labels.length, columns, Float32Array.from(values)), rowLabels }
}

const train = clusters(20, 1)
const test = clusters(20, 2)
const accuracy = (predictions: { label: string }[]) => predictions.filter((prediction, row) => prediction.label === test.rowLabels[row]).length / predictions.length

describe.each(FEATURE_BASELINE_METHODS)('%s', (method) => {
  it('separates classes it has not seen these vectors of, with confidences in (1/3, 1]', () => {
    const classifier = trainFeatureBaseline(method, train.features, train.rowLabels, labels, { seed: 0 })
    const predictions = classifier.predict(test.features)
    expect(accuracy(predictions)).toBe(1)
    for (const { confidence } of predictions) {
      expect(confidence).toBeGreaterThan(1 / 3)
      expect(confidence).toBeLessThanOrEqual(1)
    }
  })

  it('restores from JSON text with identical predictions', () => {
    const classifier = trainFeatureBaseline(method, train.features, train.rowLabels, labels, { seed: 0 })
    const restored = loadFeatureBaseline(JSON.parse(JSON.stringify(classifier)))
    expect(restored.method).toBe(method)
    expect(restored.parameterCount).toBe(classifier.parameterCount)
    expect(restored.predict(test.features)).toEqual(classifier.predict(test.features))
  })

  it('gives every label\'s probability when asked, the top one its confidence', () => {
    const classifier = trainFeatureBaseline(method, train.features, train.rowLabels, labels, { seed: 0 })
    const scored = classifier.predict(test.features, { scores: true })
    expect(scored.map(({ label, confidence }) => ({ label, confidence }))).toEqual(classifier.predict(test.features))
    expect(classifier.labels).toEqual(labels)
    for (const { label, confidence, scores } of scored) {
      expect(scores![labels.indexOf(label)]).toBeCloseTo(confidence, 12)
      expect(scores!.reduce((sum, score) => sum + score, 0)).toBeCloseTo(1, 6)
    }
  })

  it('is saved with how its features are read, and restored with an encoder as a text classifier', () => {
    const classifier = trainFeatureBaseline(method, train.features, train.rowLabels, labels, { seed: 0 })
    const saved = loadSavedBaseline(JSON.parse(JSON.stringify(saveFeatureBaseline({ baseModel: 'bankbench-mini@abc', pooling: 'mean', maxLength: 64 }, classifier))))
    if (saved.kind !== 'features') throw new Error('expected a frozen-feature baseline')
    expect(saved.encoding).toEqual({ baseModel: 'bankbench-mini@abc', pooling: 'mean', maxLength: 64 })
    // A stand-in encoder: text "row N" is the Nth test vector.
    const embed = (texts: readonly string[]) => {
      const rows = texts.map((text) => Number(text.split(' ')[1]))
      const values = new Float32Array(rows.length * 8)
      rows.forEach((row, index) => values.set(test.features.values.subarray(row * 8, row * 8 + 8), index * 8))
      return denseMatrix(rows.length, 8, values)
    }
    const texts = test.rowLabels.map((_, row) => `row ${row}`)
    expect(withEncoder(saved.classifier, embed).predict(texts, { scores: true })).toEqual(classifier.predict(test.features, { scores: true }))
  })

  it('refuses features of another width and labels outside the label set', () => {
    const classifier = trainFeatureBaseline(method, train.features, train.rowLabels, labels, { seed: 0 })
    expect(() => classifier.predict(denseMatrix(1, 4, new Float32Array(4)))).toThrow(/width 8, got 4/)
    expect(() => trainFeatureBaseline(method, train.features, train.rowLabels.map(() => 'other'), labels, { seed: 0 })).toThrow(/"other" is not in the 3 labels/)
  })
})

describe('frozen-probe', () => {
  it('counts weights and intercepts as its parameters and reports a falling loss', () => {
    const losses: number[] = []
    const probe = trainFeatureBaseline('frozen-probe', train.features, train.rowLabels, labels, { seed: 0, maxIterations: 5, onIteration: (_, loss) => losses.push(loss) })
    expect(probe.parameterCount).toBe((8 + 1) * 3)
    expect(losses.length).toBeGreaterThan(1)
    expect(losses.at(-1)!).toBeLessThan(losses[0]!)
  })
})

describe('centroid', () => {
  it('counts its centroids as its parameters', () => {
    expect(trainFeatureBaseline('centroid', train.features, train.rowLabels, labels, { seed: 0 }).parameterCount).toBe(8 * 3)
  })

  it('never predicts a label without training examples', () => {
    const classifier = trainFeatureBaseline('centroid', train.features, train.rowLabels, [...labels, 'unseen'], { seed: 0 })
    expect(new Set(classifier.predict(test.features).map((prediction) => prediction.label)).has('unseen')).toBe(false)
  })
})
