import { seededShuffle } from '@bankbench/data'
import { unlabeledIndices } from '../pool'
import type { SelectionStrategy } from '../types'

/** The control every other strategy is measured against: a uniform sample of the unlabelled rows. */
export const random: SelectionStrategy = {
  name: 'random',
  description: 'uniform sample of the unlabelled pool (the control)',
  needs: [],
  defaults: {},
  select(request) {
    return seededShuffle(unlabeledIndices(request), request.seed).slice(0, request.batchSize)
  },
}
