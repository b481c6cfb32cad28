import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { clipGradientsByGlobalNorm } from './clip'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('clipGradientsByGlobalNorm', () => {
  it('scales all gradients by maxNorm / (norm + 1e-6) when the global norm is larger (torch clip_grad_norm_)', () => {
    // torch 1.13.1: clip_grad_norm_([a, c], 1.0) with a.grad = [3, 4, 0], c.grad = [12, 0] returns 13.
    const gradients = new Map<string, tf.Tensor>([['a', tf.tensor1d([3, 4, 0])], ['c', tf.tensor1d([12, 0])]])
    const { gradients: clipped, norm } = clipGradientsByGlobalNorm(gradients, 1)
    expect(norm).toBe(13)
    expectClose(clipped.get('a')!.dataSync(), [0.23076921701431274, 0.307692289352417, 0])
    expectClose(clipped.get('c')!.dataSync(), [0.923076868057251, 0])
    expect(gradients.get('a')!.isDisposed).toBe(true)
    tf.dispose([...clipped.values()])
  })

  it('leaves gradients under the limit untouched and still reports their norm', () => {
    const gradients = new Map<string, tf.Tensor>([['a', tf.tensor1d([0.3, 0.4])]])
    const { gradients: kept, norm } = clipGradientsByGlobalNorm(gradients, 1)
    expect(norm).toBeCloseTo(0.5, 6)
    expect(kept.get('a')).toBe(gradients.get('a'))
    tf.dispose([...kept.values()])
  })
})

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expected.forEach((value, index) => expect(actual[index]).toBeCloseTo(value, 6))
}
