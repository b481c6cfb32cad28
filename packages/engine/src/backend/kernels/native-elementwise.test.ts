import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../init-backend'
import { setNativeKernels } from './native'
import { planBroadcast, planSlice, planTranspose } from './native-elementwise'
import { nativeSkipReason, relativeError, withAndWithout } from './native-testing'

describe('planBroadcast', () => {
  it('merges the dimensions both operands walk together', () => {
    // Same shapes: one run.
    expect(Array.from(planBroadcast([4, 5, 6], [4, 5, 6])!.layout)).toEqual([1, 120, 1, 1])
    // A bias over the last axis: rows of 128, b restarting at every row.
    expect(Array.from(planBroadcast([32, 32, 128], [128])!.layout)).toEqual([2, 1024, 128, 128, 1, 0, 1])
    // The attention mask [b, 1, 1, s] over scores [b, h, s, s].
    expect(Array.from(planBroadcast([32, 4, 32, 32], [32, 1, 1, 32])!.layout)).toEqual([3, 32, 128, 32, 4096, 32, 1, 32, 0, 1])
    // A scalar, on either side; scalar with scalar.
    expect(Array.from(planBroadcast([], [3, 7])!.layout)).toEqual([1, 21, 0, 1])
    expect(Array.from(planBroadcast([], [])!.layout)).toEqual([1, 1, 0, 0])
    expect(planBroadcast([2, 1, 5], [1, 3, 1])!.outShape).toEqual([2, 3, 5])
  })

  it('leaves shapes that do not broadcast and empty outputs to the original kernel', () => {
    expect(planBroadcast([2, 3], [4, 3])).toBeUndefined()
    expect(planBroadcast([0, 3], [3])).toBeUndefined()
  })
})

describe('planTranspose', () => {
  it('reads x in the transposed order, merging what stays contiguous', () => {
    // Attention's head split [b, s, h, d] -> [b, h, s, d]: runs of d contiguous floats.
    expect(planTranspose([32, 32, 4, 32], [0, 2, 1, 3])).toEqual({ outShape: [32, 4, 32, 32], layout: Int32Array.from([4, 32, 4, 32, 32, 4096, 32, 128, 1]) })
    expect(Array.from(planTranspose([5, 7], [1, 0])!.layout)).toEqual([2, 7, 5, 1, 7])
    expect(Array.from(planTranspose([3, 1, 4], [1, 0, 2])!.layout)).toEqual([1, 12, 1])
    expect(planTranspose([3, 0], [1, 0])).toBeUndefined()
  })
})

describe('planSlice', () => {
  it('starts at the block\'s first element and merges the axes it reads whole', () => {
    // [2, 3, 4] from [5, 3, 4] at [1, 0, 0]: one contiguous run of 24 from element 12.
    expect(planSlice([5, 3, 4], [1, 0, 0], [2, 3, 4])).toEqual({ offset: 12, layout: Int32Array.from([1, 24, 1]) })
    // The key half of [8, 4, 52, 64] along axis 2: 32 rows of 20 x 64, 52 x 64 apart.
    expect(planSlice([8, 4, 52, 64], [0, 0, 0, 0], [8, 4, 20, 64])).toEqual({ offset: 0, layout: Int32Array.from([2, 32, 1280, 3328, 1]) })
    expect(planSlice([3, 4], [0, 1], [3, 0])).toBeUndefined()
  })
})

describe.skipIf(nativeSkipReason !== '')(`native Add, Sub, Multiply, RealDiv, Transpose, Slice, SplitV on wasm${nativeSkipReason}`, () => {
  beforeAll(async () => {
    await initBackend('wasm')
  })
  afterAll(() => setNativeKernels(true))

  const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed)

  it.each([
    { a: [1031, 129], b: [1031, 129] },
    { a: [33, 17, 129], b: [129] },
    { a: [7, 4, 33, 33], b: [7, 1, 1, 33] },
    { a: [2, 1, 5, 3], b: [1, 3, 1, 3] },
    { a: [], b: [17, 3] },
    { a: [5, 1], b: [1, 6] },
    { a: [3, 1, 2, 1, 5, 1], b: [1, 2, 1, 3, 1, 4] },
  ])('$a op $b equals the original kernels bit for bit, and so do the gradients up to their sums', ({ a, b }) => {
    const x = normal(a, 1)
    const y = tf.add(tf.abs(normal(b, 2)), 0.5)
    const { native, original } = withAndWithout(() => [tf.add(x, y), tf.sub(x, y), tf.mul(x, y), tf.div(x, y), tf.div(y, x), tf.add(y, x)])
    native.forEach((tensor, index) => {
      expect(tensor.shape).toEqual(original[index]!.shape)
      expect(Array.from(tensor.dataSync())).toEqual(Array.from(original[index]!.dataSync()))
    })
    // A broadcast operand's gradient is summed, by the native Sum (in double) or wasm's (in float).
    const gradients = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.add(p, q), tf.div(p, q))))
    const grads = withAndWithout(() => gradients([x, y]))
    grads.native.forEach((tensor, index) => expect(relativeError(tensor, grads.original[index]!)).toBeLessThan(1e-5))
    tf.dispose([x, y, ...native, ...original, ...grads.native, ...grads.original])
  })

  it.each([
    { shape: [33, 31, 4, 32], perm: [0, 2, 1, 3] },
    { shape: [7, 4, 33, 32], perm: [0, 2, 1, 3] },
    { shape: [129, 67], perm: [1, 0] },
    { shape: [3, 5, 7, 2, 3], perm: [4, 2, 0, 3, 1] },
    { shape: [1, 6, 1], perm: [2, 1, 0] },
  ])('Transpose of $shape by $perm equals the original kernel, and so does its gradient', ({ shape, perm }) => {
    const x = normal(shape, 3)
    const weights = normal(perm.map((axis) => shape[axis]!), 4)
    const { native, original } = withAndWithout(() => [tf.transpose(x, perm), tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.transpose(p, perm), weights)))(x)])
    native.forEach((tensor, index) => {
      expect(tensor.shape).toEqual(original[index]!.shape)
      expect(Array.from(tensor.dataSync())).toEqual(Array.from(original[index]!.dataSync()))
    })
    tf.dispose([x, weights, ...native, ...original])
  })

  it.each([
    { shape: [8, 4, 52, 64], begin: [0, 0, 20, 0], size: [8, 4, 32, 64] },
    { shape: [7, 33, 5], begin: [2, 1, 1], size: [3, -1, 3] },
    { shape: [129], begin: [5], size: [100] },
    { shape: [3, 1, 6], begin: [1, 0, 0], size: [1, 1, 6] },
  ])('Slice of $shape at $begin, $size equals the original kernel bit for bit', ({ shape, begin, size }) => {
    const x = normal(shape, 5)
    const { native, original } = withAndWithout(() => tf.slice(x, begin, size))
    expect(native.shape).toEqual(original.shape)
    expect(Array.from(native.dataSync())).toEqual(Array.from(original.dataSync()))
    tf.dispose([x, native, original])
  })

  it('SplitV, and so concat\'s gradient, equals the original kernel bit for bit', () => {
    const x = normal([8, 4, 52, 64], 6)
    const { native, original } = withAndWithout(() => tf.split(x, [20, 30, 2], 2))
    native.forEach((piece, index) => expect(Array.from(piece.dataSync())).toEqual(Array.from(original[index]!.dataSync())))
    const prefix = normal([8, 4, 20, 64], 7)
    const weights = normal([8, 4, 72, 64], 8)
    const gradient = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 2), weights)))
    const grads = withAndWithout(() => gradient([prefix, x]))
    grads.native.forEach((tensor, index) => expect(Array.from(tensor.dataSync())).toEqual(Array.from(grads.original[index]!.dataSync())))
    tf.dispose([x, prefix, weights, ...native, ...original, ...grads.native, ...grads.original])
  })

  it('leaves int32 arithmetic to the original kernels', () => {
    const { native, original } = withAndWithout(() => tf.mul(tf.tensor1d([3, 4], 'int32'), tf.scalar(5, 'int32')))
    expect(native.dtype).toBe('int32')
    expect(Array.from(native.dataSync())).toEqual(Array.from(original.dataSync()))
  })
})
