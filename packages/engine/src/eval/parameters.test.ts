import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { countParameters } from './parameters'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('countParameters', () => {
  it('counts the union of model and adapter tensors, each tensor once', () => {
    const embeddings = tf.zeros([100, 8])
    const dense = tf.zeros([8, 8])
    const loraA = tf.zeros([2, 8])
    const loraB = tf.zeros([8, 2])
    // Tied weights: the decoder is the embedding table under a second name.
    const model = new Map([['embeddings.weight', embeddings], ['decoder.weight', embeddings], ['dense.weight', dense]])
    const adapter = new Map([['lora_A.weight', loraA], ['lora_B.weight', loraB]])
    expect(countParameters(model, adapter)).toEqual({ total: 800 + 64 + 32, trainable: 32, trainablePercent: (100 * 32) / 896 })
    expect(countParameters(model)).toEqual({ total: 864, trainable: 864, trainablePercent: 100 })
    tf.dispose([embeddings, dense, loraA, loraB])
  })
})
