import { describe, expect, it } from 'vitest'
import { chooseHybridRule, hybridPredict, probabilitiesFromTopClass } from './hybrid'

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
  })
})

describe('probabilitiesFromTopClass', () => {
  it('puts the confidence on the class and spreads the rest', () => {
    expect(Array.from(probabilitiesFromTopClass('topup', 0.7, LABELS)).map((p) => +p.toFixed(2))).toEqual([0.15, 0.7, 0.15])
  })
})
