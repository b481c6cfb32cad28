import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../init-backend'

describe('Identity on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm')
  })

  it('clones without copying, and frees the buffer with its last holder', () => {
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]])
    const buffers = tf.memory().numDataBuffers
    const copy = tf.clone(x)
    expect(tf.memory().numDataBuffers).toBe(buffers)
    x.dispose()
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4, 5, 6])
    copy.dispose()
    expect(tf.memory().numDataBuffers).toBe(buffers - 1)
  })

  it('keeps a saved input intact through a gradient', () => {
    const x = tf.tensor1d([1, -2, 3])
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(input, input)))(x)
    expect(Array.from(gradient.dataSync())).toEqual([2, -4, 6])
    expect(Array.from(x.dataSync())).toEqual([1, -2, 3])
    tf.dispose([x, gradient])
  })
})
