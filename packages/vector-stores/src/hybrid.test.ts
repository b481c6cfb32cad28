import { describe, expect, it } from 'vitest'
import { chooseHybridRule, hybridGrid, hybridPredict, probabilitiesFromTopClass } from './hybrid'
import { HybridClassifier, type ScoringClassifier } from './hybrid-classifier'
import { openLabelledIndex } from './persisted-index'

const LABELS = ['card', 'topup', 'rate']
const m = (label: string) => ({ id: label, label, score: 1 })

describe('hybridPredict', () => {
  it('is the model alone at weight 0, kNN alone at weight 1, and a mix between', () => {
    const input = { probabilities: [0.5, 0.4, 0.1], matches: [m('topup'), m('topup'), m('card')] }
    expect(hybridPredict(input, LABELS, { weight: 0, k: 3 })).toBe('card')
    expect(hybridPredict(input, LABELS, { weight: 1, k: 3 })).toBe('topup')
    // 0.5 * [0.5, 0.4, 0.1] + 0.5 * [1/3, 2/3, 0] = [0.417, 0.533, 0.05]
    expect(hybridPredict(input, LABELS, { weight: 0.5, k: 3 })).toBe('topup')
    expect(hybridPredict(input, LABELS, { weight: 0.5, k: 1 })).toBe('topup')
    expect(hybridPredict(input, LABELS, { weight: 0.1, k: 3 })).toBe('card')
  })
})

describe('chooseHybridRule', () => {
  it('chooses on validation, keeps the model alone on a tie, and reports the parts', () => {
    // The model is right on the first two, the neighbours on the last two: a mix gets all four.
    const validation = [
      { label: 'card', probabilities: [0.6, 0.3, 0.1], matches: [m('topup'), m('card'), m('card')] },
      { label: 'rate', probabilities: [0.2, 0.2, 0.6], matches: [m('card'), m('rate'), m('rate')] },
      { label: 'topup', probabilities: [0.45, 0.4, 0.15], matches: [m('topup'), m('topup'), m('topup')] },
      { label: 'card', probabilities: [0.3, 0.4, 0.3], matches: [m('card'), m('card'), m('card')] },
    ]
    const choice = chooseHybridRule(validation, LABELS, { weights: [0, 0.5, 1], ks: [1, 3] })
    expect(choice.modelValidationAccuracy).toBe(0.5)
    expect(choice.validationAccuracy).toBe(1)
    expect(choice.rule.weight).toBe(0.5)
    const tie = chooseHybridRule([{ label: 'card', probabilities: [1, 0, 0], matches: [m('card')] }], LABELS)
    expect(tie.rule.weight).toBe(0)
    expect(tie.heldOutValidationAccuracy).toBe(tie.validationAccuracy) // one row: nothing to hold out
  })

  it('reports the choice\'s accuracy on rows it did not choose on (two-fold cross-fitting), below the in-sample best when the grid overfits', () => {
    // The model is wrong on row 0 only; the single neighbour is right on the even rows only. So the rule chosen on the
    // even rows (kNN) fails both odd rows, and the one chosen on the odd rows (the model) fails row 0.
    const validation = [
      { label: 'card', probabilities: [0.4, 0.6, 0], matches: [m('card')] },
      { label: 'topup', probabilities: [0.4, 0.6, 0], matches: [m('card')] },
      { label: 'rate', probabilities: [0, 0.4, 0.6], matches: [m('rate')] },
      { label: 'topup', probabilities: [0.4, 0.6, 0], matches: [m('card')] },
    ]
    const choice = chooseHybridRule(validation, LABELS, { weights: [0, 1], ks: [1] })
    // In sample: the model alone gets rows 1, 2, 3 (0.75); kNN alone rows 0, 2 (0.5): the model wins, 0.75.
    expect(choice.rule).toEqual({ weight: 0, k: 1 })
    expect(choice.validationAccuracy).toBe(0.75)
    // Even rows (0, 2): kNN gets both, the model one: kNN chosen, scored on the odd rows (1, 3): 0 right.
    // Odd rows (1, 3): the model gets both: chosen, scored on the even rows (0, 2): row 2 right. Held out: 1 of 4.
    expect(choice.heldOutValidationAccuracy).toBe(0.25)
  })
})

describe('the hybrid classifier on a synthetic case where kNN must help', () => {
  // Texts are 'word:n'. The classifier reads the word only and mistakes 'card' for 'topup' on odd n;
  // the encoder puts each text at its true class's corner (n jitters it), so the nearest training examples vote right.
  const TRUE: Record<string, string> = { visa: 'card', mastercard: 'card', cash: 'topup', bank: 'topup', fx: 'rate', euro: 'rate' }
  const truth = (text: string) => TRUE[text.split(':')[0]!]!
  const classifier: ScoringClassifier = {
    labels: LABELS,
    predict: async (texts, options) => texts.map((text) => {
      const label = truth(text) === 'card' && Number(text.split(':')[1]) % 2 === 1 ? 'topup' : truth(text)
      const scores = LABELS.map((candidate) => (candidate === label ? 0.55 : 0.225))
      return { label, confidence: 0.55, ...(options?.scores ? { scores } : {}) }
    }),
  }
  const encode = (texts: readonly string[]) => Float32Array.from(texts.flatMap((text) => LABELS.map((label) => (label === truth(text) ? 1 : 0.1 + (Number(text.split(':')[1]) % 7) / 100))))
  const rows = (from: number, count: number) => Object.keys(TRUE).flatMap((word) => Array.from({ length: count }, (_, i) => `${word}:${from + i}`))

  it('chooses a weight above 0 on validation, and beats the classifier alone on test', async () => {
    const train = rows(0, 10)
    const vectors = encode(train)
    const { opened, index } = await openLabelledIndex('exact', { name: 'hybrid_test', metric: 'cosine' }, train.map((text, i) => ({ id: `t${i}`, label: truth(text), vector: vectors.slice(i * 3, i * 3 + 3) })))
    try {
      const probe = new HybridClassifier({ classifier, encode, index, dimension: 3, rule: { weight: 0, k: 20 } })
      const validationTexts = rows(100, 6)
      const validation = (await probe.inputs(validationTexts)).map((input, i) => ({ ...input, label: truth(validationTexts[i]!) }))
      const choice = chooseHybridRule(validation, LABELS, hybridGrid({}))
      // The classifier alone misses half the card rows (a sixth of all); kNN votes them right.
      expect(choice.modelValidationAccuracy).toBeCloseTo(5 / 6, 5)
      expect(choice.rule.weight).toBeGreaterThan(0)
      expect(choice.validationAccuracy).toBe(1)
      // A fixed weight is kept; only k is searched.
      expect(chooseHybridRule(validation, LABELS, hybridGrid({ weight: 0.3 })).rule.weight).toBe(0.3)
      expect(chooseHybridRule(validation, LABELS, hybridGrid({ weight: 0.3, k: 3 })).rule).toEqual({ weight: 0.3, k: 3 })

      const hybrid = new HybridClassifier({ classifier, encode, index, dimension: 3, rule: choice.rule })
      const testTexts = rows(200, 5)
      const alone = await classifier.predict(testTexts)
      const mixed = await hybrid.predict(testTexts, { scores: true })
      const accuracy = (labels: string[]) => labels.filter((label, i) => label === truth(testTexts[i]!)).length / testTexts.length
      expect(accuracy(mixed.map((p) => p.label))).toBe(1)
      expect(accuracy(alone.map((p) => p.label))).toBeLessThan(1)
      expect(mixed[0]!.scores!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6)
      expect(mixed[0]!.confidence).toBe(Math.max(...mixed[0]!.scores!))
    } finally {
      await opened.store.close()
    }
  })
})

describe('probabilitiesFromTopClass', () => {
  it('puts the confidence on the class and spreads the rest', () => {
    expect(Array.from(probabilitiesFromTopClass('topup', 0.7, LABELS)).map((p) => +p.toFixed(2))).toEqual([0.15, 0.7, 0.15])
  })
})
