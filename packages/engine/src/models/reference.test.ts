import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../backend'
import { createSequenceClassifier } from './sequence-classifier'
import { loadReference } from './testing/fixtures'

beforeAll(async () => {
  await initBackend()
})

describe.each(['bert', 'roberta', 'distilbert'] as const)('%s matches the PyTorch reference', (modelType) => {
  it('gives the same eval-mode logits (1e-4) and uses every checkpoint tensor', () => {
    const reference = loadReference(modelType)
    const model = createSequenceClassifier(reference.config, reference.weights, { seed: 0 })
    expect(model.loadReport).toEqual({ initialized: [], unused: [] })
    const logits = model.forward({
      inputIds: tf.tensor2d(reference.inputIds, undefined, 'int32'),
      attentionMask: tf.tensor2d(reference.attentionMask, undefined, 'int32'),
    }, { training: false })
    const actual = logits.arraySync()
    for (const [row, values] of reference.logits.entries()) {
      for (const [col, value] of values.entries()) expect(actual[row]![col]).toBeCloseTo(value, 4)
    }
    model.dispose()
  })
})
