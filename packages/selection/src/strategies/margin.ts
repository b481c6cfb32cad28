import { required, row, topScored, topTwo } from '../pool'
import type { SelectionStrategy } from '../types'

/** Breaking ties (small-text's name): the rows where the two most probable classes are closest, i.e. nearest a decision boundary. */
export const margin: SelectionStrategy = {
  name: 'margin',
  description: 'smallest gap between the two most probable classes',
  needs: ['probabilities'],
  defaults: {},
  select(request) {
    const probabilities = required(request.pool, 'probabilities', 'margin')
    const { classCount } = request.pool
    return topScored(request, (index) => {
      const [first, second] = topTwo(row(probabilities, classCount, index))
      return -(first - second)
    })
  },
}
