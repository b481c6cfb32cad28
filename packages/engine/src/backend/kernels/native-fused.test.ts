import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../init-backend'
import { adamwUpdate, composedAdamwUpdate, composedDequantizeBlockwise, dequantizeBlockwise, composedGelu, composedLayerNorm, composedLinear, composedMaskedSoftmax, composedSumOfSquares, dropout, gelu, layerNorm, linear, maskedSoftmax, sumOfSquares } from '../ops'
import { DYNAMIC_8BIT, packCodes, quantize4bit } from '../../quantization'
import { setNativeKernels } from './native'
import { planContiguousReduction } from './native-reductions'
import { nativeSkipReason, relativeError, withAndWithout } from './native-testing'

describe('planContiguousReduction', () => {
  it('sees one contiguous run of axes as [outer, reduce, inner]', () => {
    expect(planContiguousReduction([1024, 128], [0], false)).toEqual({ outer: 1, reduce: 1024, inner: 128, outShape: [128] })
    expect(planContiguousReduction([4, 5, 6, 7], [1, 2], true)).toEqual({ outer: 4, reduce: 30, inner: 7, outShape: [4, 1, 1, 7] })
    expect(planContiguousReduction([4, 5, 6], [-1], false)).toEqual({ outer: 20, reduce: 6, inner: 1, outShape: [4, 5] })
    expect(planContiguousReduction([4, 5, 6], null, false)).toEqual({ outer: 1, reduce: 120, inner: 1, outShape: [] })
  })

  it('leaves split axes, no axes and empty tensors to the original kernel', () => {
    expect(planContiguousReduction([4, 5, 6], [0, 2], false)).toBeUndefined()
    expect(planContiguousReduction([4, 5, 6], [], false)).toBeUndefined()
    expect(planContiguousReduction([4, 0, 6], [1], false)).toBeUndefined()
  })
})

/** Random values of one shape; the seed keeps each case reproducible. */
const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed)

describe.skipIf(nativeSkipReason !== '')(`native fused kernels on wasm${nativeSkipReason}`, () => {
  beforeAll(async () => {
    await initBackend('wasm')
  })
  afterAll(() => setNativeKernels(true))

  it.each([
    { shape: [1024, 129], axis: [0] as number | number[] | null, keepDims: false },
    { shape: [3, 17, 33], axis: [0, 1], keepDims: false },
    { shape: [3, 17, 33], axis: 2, keepDims: true },
    { shape: [2, 3, 5, 7], axis: [1, 2], keepDims: true },
    { shape: [2, 3, 5, 7], axis: [0, 3], keepDims: false },
    { shape: [4001, 3], axis: null, keepDims: false },
  ])('Sum over $axis of $shape (keepDims $keepDims) matches the original kernel', ({ shape, axis, keepDims }) => {
    const x = normal(shape, 1)
    const { native, original } = withAndWithout(() => tf.sum(x, axis ?? undefined, keepDims))
    expect(native.shape).toEqual(original.shape)
    expect(relativeError(native, original)).toBeLessThan(1e-5)
    tf.dispose([x, native, original])
  })

  it('Sum gives the bias gradient of a broadcast add, as the original does', () => {
    const x = normal([7, 9, 13], 2)
    const bias = normal([13], 3)
    const weights = normal([7, 9, 13], 4)
    const gradient = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.add(x, b), weights)))
    const { native, original } = withAndWithout(() => gradient(bias))
    expect(relativeError(native, original)).toBeLessThan(1e-5)
    tf.dispose([x, bias, weights, native, original])
  })

  it.each([
    { table: [31, 17], indices: [5, 7] },
    { table: [2, 128], indices: [33] },
    { table: [9, 3, 5], indices: [4] },
  ])('GatherV2 of $table rows at $indices indices matches the original kernel', ({ table, indices }) => {
    const values = normal(table, 5)
    const ids = tf.tensor(Array.from({ length: tf.util.sizeFromShape(indices) }, (_, i) => (i * 7) % table[0]!), indices, 'int32')
    const { native, original } = withAndWithout(() => tf.gather(values, ids))
    expect(native.shape).toEqual(original.shape)
    expect(Array.from(native.dataSync())).toEqual(Array.from(original.dataSync()))
    tf.dispose([values, ids, native, original])
  })

  it('GatherV2 leaves other axes and out-of-range indices to the original kernel', () => {
    const values = normal([4, 6], 6)
    const ids = tf.tensor1d([3, 0, 5], 'int32')
    const { native, original } = withAndWithout(() => tf.gather(values, ids, 1))
    expect(Array.from(native.dataSync())).toEqual(Array.from(original.dataSync()))
    // Out of range, the native kernel writes nothing and hands over: the original reports it.
    const outside = tf.tensor1d([0, 4], 'int32')
    expect(() => tf.gather(values, outside)).toThrow('GatherV2: the index value 4 is not in [0, 3]')
    tf.dispose([values, ids, outside, native, original])
  })

  it.each([
    { rows: 5, inFeatures: 7, outFeatures: 3 },
    { rows: 1031, inFeatures: 129, outFeatures: 67 },
    { rows: 64, inFeatures: 513, outFeatures: 130 },
  ])('linear $rows x $inFeatures -> $outFeatures: values and gradients of x, weight and bias match matMul + add', ({ rows, inFeatures, outFeatures }) => {
    const x = normal([rows, inFeatures], 30) as tf.Tensor2D
    const weight = normal([outFeatures, inFeatures], 31) as tf.Tensor2D
    const bias = normal([outFeatures], 32)
    const weights = normal([rows, outFeatures], 33)
    const gradients = tf.grads((input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(linear(input as tf.Tensor2D, w as tf.Tensor2D, b), weights)))
    const { native, original } = withAndWithout(() => [linear(x, weight, bias), ...gradients([x, weight, bias])])
    native.forEach((tensor, index) => {
      expect(tensor.shape).toEqual(original[index]!.shape)
      expect(relativeError(tensor, original[index]!)).toBeLessThan(1e-5)
    })
    tf.dispose([x, weight, bias, weights, ...native, ...original])
  })

  it('linear without a bias, or with a broadcast one, runs matMul (+ add), native kernels or not', () => {
    const x = normal([6, 5], 34) as tf.Tensor2D
    const weight = normal([4, 5], 35) as tf.Tensor2D
    const bias = normal([1, 4], 36)
    const calls = [() => linear(x, weight), () => linear(x, weight, bias)]
    const composed = [composedLinear(x, weight), composedLinear(x, weight, bias)]
    calls.forEach((call, index) => expect(relativeError(call(), composed[index]!)).toBe(0))
    tf.dispose([x, weight, bias, ...composed])
  })

  it.each([[[7]], [[3, 17, 33]], [[2, 5, 1, 513]]])('GELU of %j: values and gradient match the composed ops', (shape) => {
    const x = tf.mul(normal(shape, 8), 3)
    const weights = normal(shape, 9)
    expect(relativeError(gelu(x), composedGelu(x))).toBeLessThan(1e-5)
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(gelu(input), weights)))
    const { native, original } = withAndWithout(() => [gelu(x), gradient(x)])
    native.forEach((tensor, index) => expect(relativeError(tensor, original[index]!)).toBeLessThan(1e-5))
    tf.dispose([x, weights, ...native, ...original])
  })

  it.each([
    { shape: [5, 17], eps: 1e-12 },
    { shape: [3, 7, 33], eps: 1e-5 },
    { shape: [2, 3, 4, 128], eps: 1e-12 },
    { shape: [9, 1], eps: 1e-5 },
  ])('layer norm of $shape: values and gradients of x, gamma and beta match the composed ops', ({ shape, eps }) => {
    const size = shape[shape.length - 1]!
    const x = tf.add(tf.mul(normal(shape, 10), 2), 0.5)
    const gamma = normal([size], 11)
    const beta = normal([size], 12)
    const weights = normal(shape, 13)
    const gradients = tf.grads((input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(input, g, b, eps), weights)))
    const { native, original } = withAndWithout(() => [layerNorm(x, gamma, beta, eps), ...gradients([x, gamma, beta])])
    // Compared with the composed ops as well: `original` runs them, since the fused kernel is off there.
    expect(relativeError(original[0]!, composedLayerNorm(x, gamma, beta, eps))).toBe(0)
    native.forEach((tensor, index) => {
      expect(tensor.shape).toEqual(original[index]!.shape)
      expect(relativeError(tensor, original[index]!)).toBeLessThan(1e-5)
    })
    tf.dispose([x, gamma, beta, weights, ...native, ...original])
  })

  it('layer norm with a broadcast gamma runs the composed ops, native kernels or not', () => {
    const x = normal([4, 6], 14)
    const gamma = normal([1, 6], 15)
    const beta = normal([6], 16)
    const { native, original } = withAndWithout(() => layerNorm(x, gamma, beta, 1e-5))
    expect(relativeError(native, original)).toBe(0)
    tf.dispose([x, gamma, beta, native, original])
  })

  it.each([
    { scores: [3, 5, 7, 11], bias: [3, 1, 1, 11] },
    { scores: [2, 3, 9, 9], bias: [2, 1, 9, 9] },
    { scores: [5, 4, 33, 129], bias: [5, 1, 1, 129] },
    { scores: [1, 1, 1, 1], bias: [1, 1, 1, 1] },
  ])('masked softmax of $scores with a $bias bias: values and gradients of scores and bias match the composed ops', ({ scores: scoreShape, bias: biasShape }) => {
    const scores = tf.mul(normal(scoreShape, 50), 4) as tf.Tensor4D
    // Masked (-1e9) keys as attentionBias makes them, one key in three, never a whole row's every key.
    const bias = tf.mul(tf.cast(tf.greater(normal(biasShape, 51), 0.5), 'float32'), -1e9).add(normal(biasShape, 52)) as tf.Tensor4D
    const weights = normal(scoreShape, 53)
    const divisor = Math.sqrt(scoreShape[3]!)
    const gradients = tf.grads((s: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(maskedSoftmax(s as tf.Tensor4D, b as tf.Tensor4D, divisor), weights)))
    const { native, original } = withAndWithout(() => [maskedSoftmax(scores, bias, divisor), ...gradients([scores, bias])])
    // `original` runs the composed ops: attention's expression before the fused kernel, exactly.
    expect(relativeError(original[0]!, tf.softmax(scores.div(divisor).add(bias)))).toBe(0)
    expect(relativeError(original[0]!, composedMaskedSoftmax(scores, bias, divisor))).toBe(0)
    native.forEach((tensor, index) => {
      expect(tensor.shape).toEqual(original[index]!.shape)
      expect(relativeError(tensor, original[index]!)).toBeLessThan(1e-5)
    })
    tf.dispose([scores, bias, weights, ...native, ...original])
  })

  it('masked softmax takes a bias varying over heads but not batch natively, and one broadcast along keys through the composed ops', () => {
    const scores = normal([2, 3, 4, 5], 54) as tf.Tensor4D
    const perHead = normal([1, 3, 1, 5], 55) as tf.Tensor4D
    const { native, original } = withAndWithout(() => maskedSoftmax(scores, perHead, 2))
    expect(relativeError(native, original)).toBeLessThan(1e-5)
    const alongKeys = normal([2, 3, 4, 1], 56) as tf.Tensor4D
    const composed = withAndWithout(() => maskedSoftmax(scores, alongKeys, 2))
    expect(relativeError(composed.native, composed.original)).toBe(0)
    tf.dispose([scores, perHead, alongKeys, native, original, composed.native, composed.original])
  })

  it.each([
    { shape: [4000, 33], decayFactor: 1 - 1e-3 * 0.01 },
    { shape: [7], decayFactor: 1 },
  ])('AdamW update of $shape (decay factor $decayFactor) equals the composed ops bit for bit', ({ shape, decayFactor }) => {
    const tensors = { parameter: normal(shape, 17), firstMoment: tf.mul(normal(shape, 18), 0.1), secondMoment: tf.square(tf.mul(normal(shape, 19), 0.1)) }
    const gradient = normal(shape, 20)
    const scalars = { decayFactor, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, secondMomentCorrection: Math.sqrt(1 - 0.999 ** 3), stepSize: 1e-3 / (1 - 0.9 ** 3) }
    const native = adamwUpdate(tensors, gradient, scalars)
    const composed = composedAdamwUpdate(tensors, gradient, scalars)
    for (const key of ['parameter', 'firstMoment', 'secondMoment'] as const) {
      expect(Array.from(native[key].dataSync())).toEqual(Array.from(composed[key].dataSync()))
    }
    tf.dispose([...Object.values(tensors), gradient, ...Object.values(native), ...Object.values(composed)])
  })

  it('sum of squares of many tensors matches a float64 sum, as Square, Sum and AddN do within float32 rounding', () => {
    const tensors = [[4000, 33], [7], [129, 131], []].map((shape, index) => normal(shape, 40 + index))
    const exact = (list: tf.Tensor[]) => list.reduce((total, tensor) => total + Array.from(tensor.dataSync()).reduce((sum, value) => sum + value * value, 0), 0)
    const { native, original } = withAndWithout(() => [sumOfSquares(tensors), sumOfSquares(tensors.slice(1, 2))])
    const expected = [exact(tensors), exact(tensors.slice(1, 2))]
    native.forEach((tensor, index) => {
      expect(tensor.shape).toEqual([])
      expect(Math.abs(tensor.dataSync()[0]! - expected[index]!) / expected[index]!).toBeLessThan(1e-6)
      // The composed ops sum in float32 (wasm's Sum): about 1e-5 off over 132,000 squares.
      expect(Math.abs(original[index]!.dataSync()[0]! - expected[index]!) / expected[index]!).toBeLessThan(1e-4)
    })
    expect(composedSumOfSquares([]).dataSync()[0]).toBe(0)
    tf.dispose([...tensors, ...native, ...original])
  })

  it.each([0, 1, 41, 123456])('dropout with seed %i draws the masks tf.dropout draws', (seed) => {
    const x = normal([3, 7, 129], 21)
    const { native, original } = withAndWithout(() => dropout(x, 0.1, seed))
    expect(Array.from(native.dataSync())).toEqual(Array.from(tf.dropout(x, 0.1, undefined, seed).dataSync()))
    expect(Array.from(native.dataSync())).toEqual(Array.from(original.dataSync()))
    const dropped = native.dataSync().filter((value) => value === 0).length
    expect(dropped).toBeGreaterThan(0.05 * x.size)
    expect(dropped).toBeLessThan(0.15 * x.size)
    tf.dispose([x, native, original])
  })

  it.each([
    { shape: [33, 31, 129], seed: 12345 },
    { shape: [16385], seed: 0 },
  ])('dropout of $shape, drawn in runs jumped ahead on the stream, is still tf.dropout\'s mask', ({ shape, seed }) => {
    const x = tf.ones(shape)
    const expected = tf.dropout(x, 0.1, undefined, seed)
    const native = dropout(x, 0.1, seed)
    expect(Array.from(native.dataSync())).toEqual(Array.from(expected.dataSync()))
    tf.dispose([x, expected, native])
  })

  /** The float32 bit patterns (toEqual on floats would not tell -0, FP4's code 8, from +0). */
  const bits = (tensor: tf.Tensor) => Array.from(new Uint32Array((tensor.dataSync() as Float32Array).slice().buffer))

  /** Kernel names one call runs, outermost first. */
  const kernelsOf = async (compute: () => tf.Tensor) => {
    const profile = await tf.profile(compute)
    tf.dispose(profile.result as tf.Tensor)
    return profile.kernels.map((kernel) => kernel.name)
  }

  it.each([
    // sizes not a multiple of the block (64) nor of the codes per word (8); 16,900 and 70,001 elements are cut between threads,
    // and their double-quantized absmax (265 and 1,094 blocks) is more than one 8-bit block of 256 with a short last one
    { quantType: 'nf4', doubleQuant: false, shape: [7, 45] },
    { quantType: 'nf4', doubleQuant: true, shape: [130, 130] },
    { quantType: 'nf4', doubleQuant: true, shape: [1, 70_001] },
    { quantType: 'fp4', doubleQuant: false, shape: [129, 67] },
    { quantType: 'fp4', doubleQuant: true, shape: [3, 5] },
    { quantType: 'fp4', doubleQuant: true, shape: [130, 130] },
  ] as const)('QLoRA weights, $quantType (double quantization $doubleQuant) of $shape, dequantize bit for bit as the composed ops do', async ({ quantType, doubleQuant, shape }) => {
    const weight = normal([...shape], 22)
    const quantized = quantize4bit(weight, quantType, doubleQuant)
    const { native, original } = withAndWithout(() => quantized.dequantize())
    expect(native.shape).toEqual([...shape])
    expect(bits(native)).toEqual(bits(original))
    // One kernel per decoded tensor (the weight, and its 8-bit absmax when double-quantized), no unpacking ops.
    const kernels = await kernelsOf(() => quantized.dequantize())
    expect(kernels.filter((name) => name === 'BankbenchDequantizeBlockwise')).toHaveLength(doubleQuant ? 2 : 1)
    expect(kernels).not.toContain('GatherV2')
    tf.dispose([weight, native, original])
    quantized.dispose()
  })

  it.each([
    { bits: 8, blockSize: 256, size: 1094 },
    { bits: 4, blockSize: 64, size: 16_393 },
    { bits: 4, blockSize: 7, size: 1 },
  ] as const)('dequantizeBlockwise of $size $bits-bit codes in blocks of $blockSize matches composedDequantizeBlockwise bit for bit', ({ bits: codeBits, blockSize, size }) => {
    const blocks = Math.ceil(size / blockSize)
    const codes = Array.from({ length: blocks * blockSize }, (_, i) => (i * 37 + (i >> 3)) % 2 ** codeBits)
    const packedCodes = tf.tensor1d(packCodes(codes, codeBits), 'int32')
    const absmax = normal([blocks], 23).abs() as tf.Tensor1D
    const codebook = tf.tensor1d(codeBits === 8 ? (DYNAMIC_8BIT.values as number[]) : Array.from({ length: 16 }, (_, i) => (i - 7.5) / 7.5))
    const layout = { bits: codeBits, blockSize, size }
    const composed = composedDequantizeBlockwise(packedCodes, absmax, codebook, layout)
    const { native, original } = withAndWithout(() => dequantizeBlockwise(packedCodes, absmax, codebook, layout))
    expect(bits(native)).toEqual(bits(composed))
    expect(bits(original)).toEqual(bits(composed))
    tf.dispose([packedCodes, absmax, codebook, composed, native, original])
  })

  it('switches every fused op back to composed tfjs ops', () => {
    expect(setNativeKernels(false)).toEqual([])
    for (const kernelName of ['BankbenchLinear', 'BankbenchGelu', 'BankbenchLayerNorm', 'BankbenchMaskedSoftmax', 'BankbenchMaskedSoftmaxGrad', 'BankbenchAdamW', 'BankbenchDropoutMultipliers', 'BankbenchSumOfSquares', 'BankbenchDequantizeBlockwise']) {
      expect(tf.getKernel(kernelName, 'wasm')).toBeUndefined()
    }
    expect(setNativeKernels(true)).toContain('BankbenchLayerNormGrad')
    expect(tf.getKernel('BankbenchLayerNorm', 'wasm')).toBeDefined()
  })
})
