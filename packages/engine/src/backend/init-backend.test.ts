import * as tf from '@tensorflow/tfjs'
import { afterEach, describe, expect, it } from 'vitest'
import { initBackend } from './init-backend'
import type { BackendName } from './init-backend'

/** d(sum(gather(table, ids) * weights))/d(table), computed row by row without tfjs. */
function denseEmbeddingGradient(ids: number[], weights: number[][], vocabularySize: number, width: number): number[][] {
  const gradient = Array.from({ length: vocabularySize }, () => new Array<number>(width).fill(0))
  ids.forEach((id, position) => {
    for (let k = 0; k < width; k++) gradient[id]![k]! += weights[position]![k]!
  })
  return gradient
}

function embeddingGradient(ids: number[][], weights: number[][][], vocabularySize: number, width: number): number[][] {
  return tf.tidy(() => {
    const table = tf.randomNormal([vocabularySize, width], 0, 1, 'float32', 7)
    const idTensor = tf.tensor2d(ids, undefined, 'int32')
    const weightTensor = tf.tensor3d(weights)
    const gradientOf = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idTensor), weightTensor)))
    return gradientOf(table).arraySync() as number[][]
  })
}

describe('initBackend', () => {
  const savedEnvironment = process.env.BANKBENCH_BACKEND
  afterEach(() => {
    if (savedEnvironment === undefined) delete process.env.BANKBENCH_BACKEND
    else process.env.BANKBENCH_BACKEND = savedEnvironment
  })

  it('falls back to wasm (SIMD, one thread) where libtensorflow is absent', async () => {
    delete process.env.BANKBENCH_BACKEND
    const info = await initBackend()
    expect(info).toMatchObject({ name: 'wasm', simd: true, threads: 1, gpu: false, tfjsVersion: '4.22.0' })
    expect(info.customKernels).toContain('UnsortedSegmentSum')
    expect(tf.getBackend()).toBe('wasm')
  })

  it('is idempotent and switches between backends on request', async () => {
    const first = await initBackend('cpu')
    expect(tf.getBackend()).toBe('cpu')
    await initBackend('wasm')
    expect(await initBackend('cpu')).toBe(first)
    expect(tf.getBackend()).toBe('cpu')
  })

  it('honours BANKBENCH_BACKEND and rejects unknown names', async () => {
    process.env.BANKBENCH_BACKEND = 'cpu'
    expect((await initBackend()).name).toBe('cpu')
    process.env.BANKBENCH_BACKEND = 'webgpu'
    await expect(initBackend()).rejects.toThrow(/BANKBENCH_BACKEND=webgpu: use tensorflow, wasm or cpu/)
  })

  it('explains why the tensorflow backend is unavailable when asked for by name', async () => {
    await expect(initBackend('tensorflow')).rejects.toThrow(/@tensorflow\/tfjs-node-gpu or @tensorflow\/tfjs-node/)
  })
})

describe.each<BackendName>(['wasm', 'cpu'])('UnsortedSegmentSum on %s', (backend) => {
  it('makes tf.grad through tf.gather match a dense reference, repeated ids included', async () => {
    await initBackend(backend)
    const vocabularySize = 50
    const width = 8
    const ids = [[3, 7, 3, 0], [49, 7, 7, 1]]
    const weights = ids.map((row, b) => row.map((_, t) => Array.from({ length: width }, (_, k) => Math.sin(b * 31 + t * 7 + k))))
    const gradient = embeddingGradient(ids, weights, vocabularySize, width)
    const reference = denseEmbeddingGradient(ids.flat(), weights.flat(), vocabularySize, width)
    gradient.forEach((row, id) => row.forEach((value, k) => expect(value).toBeCloseTo(reference[id]![k]!, 5)))
  })

  it('sums int32 rows, drops negative ids and rejects ids past numSegments', async () => {
    await initBackend(backend)
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]], undefined, 'int32')
    expect(tf.unsortedSegmentSum(x, tf.tensor1d([2, -1, 2], 'int32'), 3).arraySync()).toEqual([[0, 0], [0, 0], [6, 8]])
    expect(() => tf.unsortedSegmentSum(x, tf.tensor1d([0, 3, 1], 'int32'), 3)).toThrow(/segment id 3 is not below numSegments 3/)
  })

  it('scales with the number of tokens, not the vocabulary size', async () => {
    await initBackend(backend)
    const values = tf.ones([512, 64])
    const ids = tf.tensor1d(Array.from({ length: 512 }, (_, i) => (i * 997) % 30_000), 'int32')
    const started = performance.now()
    const sum = tf.unsortedSegmentSum(values, ids, 30_000)
    expect(sum.sum().arraySync()).toBe(512 * 64)
    // The cpu backend's own kernel takes seconds here (30,000 segments x 512 rows).
    expect(performance.now() - started).toBeLessThan(500)
    tf.dispose([values, ids, sum])
  })
})
