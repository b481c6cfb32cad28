import { required, row, topScored } from '../pool'
import type { SelectionStrategy } from '../types'

/** Uncertainty sampling by the top class: the rows whose most probable class is least probable. */
export const leastConfidence: SelectionStrategy = {
  name: 'least-confidence',
  description: 'lowest probability of the predicted class',
  needs: ['probabilities'],
  defaults: {},
  select(request) {
    const probabilities = required(request.pool, 'probabilities', 'least-confidence')
    const { classCount } = request.pool
    return topScored(request, (index) => -Math.max(...row(probabilities, classCount, index)))
  },
}
