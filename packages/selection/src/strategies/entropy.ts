import { entropy as entropyOf, required, row, topScored } from '../pool'
import type { SelectionStrategy } from '../types'

/** Uncertainty sampling by the whole distribution: the rows whose predicted class distribution has the highest entropy. */
export const entropy: SelectionStrategy = {
  name: 'entropy',
  description: 'highest entropy of the predicted class distribution',
  needs: ['probabilities'],
  defaults: {},
  select(request) {
    const probabilities = required(request.pool, 'probabilities', 'entropy')
    const { classCount } = request.pool
    return topScored(request, (index) => entropyOf(row(probabilities, classCount, index)))
  },
}
