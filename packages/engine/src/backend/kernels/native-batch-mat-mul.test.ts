import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../init-backend'
import { createSequenceClassifier } from '../../models/sequence-classifier'
import { crossEntropy, tinyConfig } from '../../models/testing/fixtures'
import { train } from '../../train/trainer'
import { planBatchedProduct } from './native-batch-mat-mul'
import { setNativeKernels } from './native'
import { nativeSkipReason, relativeError, withAndWithout } from './native-testing'

describe('planBatchedProduct', () => {
  it('turns shared, single and rank-2 batch dimensions into strides', () => {
    expect(planBatchedProduct([4, 3, 5], [4, 5, 2], false, false)).toEqual({ batch: 4, m: 3, n: 2, k: 5, aStride: 15, bStride: 10, outShape: [4, 3, 2] })
    expect(planBatchedProduct([2, 3, 5, 7], [1, 2, 5], true, true)).toEqual({ batch: 6, m: 7, n: 2, k: 5, aStride: 35, bStride: 0, outShape: [2, 3, 7, 2] })
    expect(planBatchedProduct([5, 3], [2, 4, 5, 6], true, false)).toEqual({ batch: 8, m: 3, n: 6, k: 5, aStride: 0, bStride: 30, outShape: [2, 4, 3, 6] })
  })

  // tfjs 4.22's own kernels (wasm and cpu) compute only max(batchA, batchB) matrices for
  // a two-sided broadcast such as [2,1,..]x[1,3,..]: the engine never multiplies so.
  it('leaves two-sided broadcasts, mismatched shapes and empty products to the original kernel', () => {
    expect(planBatchedProduct([2, 1, 3, 4], [1, 3, 4, 5], false, false)).toBeUndefined()
    expect(planBatchedProduct([3, 4], [5, 6], false, false)).toBeUndefined()
    expect(planBatchedProduct([2, 3, 4], [3, 4, 5], false, false)).toBeUndefined()
    expect(planBatchedProduct([0, 3, 4], [0, 4, 5], false, false)).toBeUndefined()
    expect(planBatchedProduct([4], [4, 5], false, false)).toBeUndefined()
  })
})

describe.skipIf(nativeSkipReason !== '')(`native BatchMatMul on wasm${nativeSkipReason}`, () => {
  beforeAll(async () => {
    const info = await initBackend('wasm')
    expect(info.nativeKernels).toEqual([
      'BatchMatMul', 'Sum', 'GatherV2', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Transpose', 'Slice', 'SplitV', 'BankbenchLinear', 'BankbenchGelu', 'BankbenchGeluGrad', 'BankbenchLayerNorm', 'BankbenchLayerNormGrad',
      'BankbenchMaskedSoftmax', 'BankbenchMaskedSoftmaxGrad', 'BankbenchAdamW', 'BankbenchDropoutMultipliers', 'BankbenchSumOfSquares', 'BankbenchDequantizeBlockwise',
    ])
    expect(info.nativeThreads).toBeGreaterThanOrEqual(1)
  })
  afterAll(() => setNativeKernels(true))

  it.each([
    { a: [7, 13], b: [13, 5], transposeA: false, transposeB: false },
    { a: [3, 13, 7], b: [3, 5, 13], transposeA: true, transposeB: true },
    { a: [2, 4, 33, 17], b: [2, 4, 33, 9], transposeA: true, transposeB: false },
    { a: [4, 31, 64], b: [1, 127, 64], transposeA: false, transposeB: true },
    { a: [65, 129], b: [3, 129, 1], transposeA: false, transposeB: false },
    { a: [1, 1], b: [5, 1, 1], transposeA: false, transposeB: false },
  ])('matches the original kernel for $a x $b (transposeA $transposeA, transposeB $transposeB)', ({ a, b, transposeA, transposeB }) => {
    const left = tf.randomNormal(a, 0, 1, 'float32', 1)
    const right = tf.randomNormal(b, 0, 1, 'float32', 2)
    const { native, original } = withAndWithout(() => tf.matMul(left, right, transposeA, transposeB))
    expect(native.shape).toEqual(original.shape)
    expect(relativeError(native, original)).toBeLessThan(1e-5)
    tf.dispose([left, right, native, original])
  })

  // tfjs 4.22's BatchMatMul gradient does not reduce over broadcast batch dimensions, so both operands share them.
  it.each([
    { transposeA: false, transposeB: false },
    { transposeA: true, transposeB: true },
  ])('gives the same gradients through tf.matMul (transposeA $transposeA, transposeB $transposeB)', ({ transposeA, transposeB }) => {
    const a = tf.randomNormal(transposeA ? [3, 6, 9] : [3, 9, 6], 0, 1, 'float32', 3)
    const b = tf.randomNormal(transposeB ? [3, 11, 6] : [3, 6, 11], 0, 1, 'float32', 4)
    const weights = tf.randomNormal([3, 9, 11], 0, 1, 'float32', 5)
    const gradients = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, transposeA, transposeB), weights)))
    const { native, original } = withAndWithout(() => gradients([a, b]))
    native.forEach((gradient, index) => {
      expect(gradient.shape).toEqual(original[index]!.shape)
      expect(relativeError(gradient, original[index]!)).toBeLessThan(1e-5)
    })
    tf.dispose([a, b, weights, ...native, ...original])
  })

  // Every native kernel is on this path: products, Sum (bias gradients), GatherV2 (embeddings), GELU,
  // layer norm and their gradients, seeded dropout and the AdamW update (full fine-tuning).
  it('trains a tiny encoder along the same loss curve', async () => {
    const lossCurve = async (): Promise<number[]> => {
      const model = createSequenceClassifier(tinyConfig('bert', { hiddenSize: 32, intermediateSize: 64 }), undefined, { seed: 3 })
      const losses: number[] = []
      const examples = Array.from({ length: 32 }, (_, index) => ({ tokens: Array.from({ length: 8 }, (_, t) => 2 + ((index * 5 + t * 3) % 27)), label: index % 4 }))
      await train(
        {
          variables: model.parameters,
          trainExamples: examples,
          loss: (batch, { step }) => tf.tidy(() => {
            const inputIds = tf.tensor2d(batch.map((example) => example.tokens), undefined, 'int32')
            const logits = model.forward({ inputIds, attentionMask: tf.onesLike(inputIds) }, { training: true, seed: step })
            return crossEntropy(logits as tf.Tensor2D, tf.tensor1d(batch.map((example) => example.label), 'int32'))
          }),
        },
        { epochs: 2, batchSize: 8, learningRate: 1e-3, evalEvery: 'never', seed: 1, onStep: ({ loss }) => void losses.push(loss) },
      )
      model.dispose()
      return losses
    }
    setNativeKernels(false)
    const original = await lossCurve()
    setNativeKernels(true)
    const native = await lossCurve()
    expect(native).toHaveLength(8)
    expect(original[7]).toBeLessThan(original[0]!)
    native.forEach((loss, step) => expect(Math.abs(loss - original[step]!)).toBeLessThan(1e-4 * Math.abs(original[step]!)))
  })
})
