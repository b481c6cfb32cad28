import { required, row, topScored } from '../pool'
import type { SelectionStrategy } from '../types'

/**
 * Expected gradient length (Settles, Craven & Ray 2008) for a softmax head on fixed
 * features x, exactly: the gradient of the cross-entropy for label k with respect to
 * the head's weights and bias is (p - e_k) ⊗ [x, 1], whose norm factorises as
 * ||p - e_k|| · sqrt(||x||² + 1), and ||p - e_k||² = ||p||² - 2 p_k + 1. The expectation
 * over the model's own label distribution is then
 *   sqrt(||x||² + 1) · Σ_k p_k sqrt(||p||² - 2 p_k + 1)
 * with no backward pass: rows the model is unsure of, weighted by how hard they push.
 */
export function expectedGradientLength(probabilities: ArrayLike<number>, featureNorm: number): number {
  let squared = 0
  for (let k = 0; k < probabilities.length; k++) squared += probabilities[k]! ** 2
  let expected = 0
  for (let k = 0; k < probabilities.length; k++) {
    const p = probabilities[k]!
    expected += p * Math.sqrt(Math.max(squared - 2 * p + 1, 0))
  }
  return Math.sqrt(featureNorm * featureNorm + 1) * expected
}

export const expectedGradientLengthStrategy: SelectionStrategy = {
  name: 'expected-gradient-length',
  description: 'largest expected gradient of the softmax head, over the model\'s own label distribution',
  needs: ['probabilities', 'featureNorms'],
  defaults: {},
  select(request) {
    const probabilities = required(request.pool, 'probabilities', 'expected-gradient-length')
    const norms = required(request.pool, 'featureNorms', 'expected-gradient-length')
    const { classCount } = request.pool
    return topScored(request, (index) => expectedGradientLength(row(probabilities, classCount, index), norms[index]!))
  },
}
