import { describe, expect, it } from 'vitest'
import { loadNativeKernels } from './index'
import { randomFloats, referenceProduct } from './testing'

const load = loadNativeKernels()
const reason = load.loaded ? '' : ` (skipped: ${load.reason})`

describe.skipIf(!load.loaded)(`native sgemmBatched${reason}`, () => {
  const kernels = load.loaded ? load.kernels : undefined

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matches plain loops with transposeA=%s transposeB=%s, odd sizes, a broadcast b', (transposeA, transposeB) => {
    const [batch, m, n, k] = [3, 7, 5, 13]
    const a = randomFloats(batch * m * k, 1)
    const b = randomFloats(k * n, 2)
    const c = new Float32Array(batch * m * n).fill(Number.NaN)
    kernels!.sgemmBatched(transposeA, transposeB, batch, m, n, k, a, m * k, b, 0, c)
    for (let i = 0; i < batch; i++) {
      const expected = referenceProduct(a.subarray(i * m * k, (i + 1) * m * k), b, m, n, k, transposeA, transposeB)
      expected.forEach((value, index) => expect(c[i * m * n + index]).toBeCloseTo(value, 5))
    }
  })

  it('works on views into a larger buffer, as tfjs wasm heap views are', () => {
    const heap = new Float32Array(64)
    const a = heap.subarray(3, 3 + 6).fill(1)
    const b = heap.subarray(20, 20 + 6).fill(2)
    const c = heap.subarray(40, 44)
    kernels!.sgemmBatched(false, false, 1, 2, 2, 3, a, 0, b, 0, c)
    expect(Array.from(c)).toEqual([6, 6, 6, 6])
    expect(heap[44]).toBe(0)
  })

  it('refuses sizes that would run past an array, and wrong argument types', () => {
    const small = new Float32Array(4)
    expect(() => kernels!.sgemmBatched(false, false, 2, 2, 2, 2, small, 4, small, 0, new Float32Array(8))).toThrow(RangeError)
    expect(() => kernels!.sgemmBatched(false, false, 1, 2, 2, 2, small, 0, small, 0, new Float32Array(3))).toThrow(RangeError)
    expect(() => kernels!.sgemmBatched(false, false, 1, 2, 2, 2, new Float64Array(4) as unknown as Float32Array, 0, small, 0, small)).toThrow(/a must be a Float32Array/)
  })

  it('writes zeros for an empty inner dimension and sets its thread count', () => {
    const c = new Float32Array(4).fill(5)
    kernels!.sgemmBatched(false, false, 1, 2, 2, 0, new Float32Array(0), 0, new Float32Array(0), 0, c)
    expect(Array.from(c)).toEqual([0, 0, 0, 0])
    kernels!.setThreads(1)
    expect(kernels!.getThreads()).toBe(1)
    expect(kernels!.blasConfig()).toMatch(/OpenBLAS|built-in blocked sgemm/)
  })

  it('checks the fused kernels\' sizes and types before touching memory', () => {
    const four = new Float32Array(4)
    expect(() => kernels!.geluForward(four, new Float32Array(3))).toThrow(RangeError)
    expect(() => kernels!.sumAxes(four, 1, 5, 1, four)).toThrow(/sumAxes: x is shorter/)
    expect(() => kernels!.layerNormForward(four, four, new Float32Array(1), 2, 2, 1e-5, four)).toThrow(/beta is shorter/)
    expect(() => kernels!.gatherRows(four, 2, 2, new Float32Array(1) as unknown as Int32Array, four)).toThrow(/indices must be an Int32Array/)
    expect(() => kernels!.adamwUpdate(four, four, four, four, four, four, new Float32Array(2), 1, 0.9, 0.1, 0.999, 0.001, 1, 1e-8, 1e-3)).toThrow(RangeError)
     // A [2, 1, 2, 2] causal-style bias (query stride 2) for [2, 1, 2, 2] scores needs 8 elements, not 4.
    expect(() => kernels!.maskedSoftmaxForward(new Float32Array(8), four, 2, 1, 2, 2, 4, 0, 2, 1, new Float32Array(8))).toThrow(/bias is shorter/)
  })

  it('gathers rows, and refuses an index out of range without writing', () => {
    const table = Float32Array.from([1, 2, 3, 4, 5, 6])
    const out = new Float32Array(4).fill(-1)
    expect(kernels!.gatherRows(table, 3, 2, Int32Array.from([2, 0]), out)).toBe(true)
    expect(Array.from(out)).toEqual([5, 6, 1, 2])
    out.fill(-1)
    expect(kernels!.gatherRows(table, 3, 2, Int32Array.from([0, 3]), out)).toBe(false)
    expect(Array.from(out)).toEqual([-1, -1, -1, -1])
  })

  it('sums the middle axis of [outer, reduce, inner]', () => {
    const x = Float32Array.from({ length: 24 }, (_, i) => i)
    const out = new Float32Array(8)
    kernels!.sumAxes(x, 2, 3, 4, out)
    // out[o, i] = sum over r of x[o, r, i]
    expect(Array.from(out)).toEqual([12, 15, 18, 21, 48, 51, 54, 57])
  })
})

/**
 * The pool splits large products and elementwise kernels between threads. The
 * elementwise kernels and sums must come out the same, bit for bit, whatever the
 * thread count; a product cut in parts may round differently (OpenBLAS picks its
 * kernels by size), within float32 rounding of the whole.
 */
describe.skipIf(!load.loaded)(`native kernels on 1 and 3 threads${reason}`, () => {
  const kernels = load.loaded ? load.kernels : undefined
  const threadsBefore = kernels?.getThreads() ?? 1

  /** Runs `compute` (which writes fresh output arrays) at 1 thread, then at 3. */
  function onOneAndThreeThreads(compute: () => Float32Array[]): [Float32Array[], Float32Array[]] {
    kernels!.setThreads(1)
    const single = compute()
    kernels!.setThreads(3)
    const split = compute()
    kernels!.setThreads(threadsBefore)
    return [single, split]
  }

  it.each([
    // batch, m, n, k, transposes: cut along rows, along columns, whole products per thread
    { batch: 1, m: 1000, n: 129, k: 67, transposeA: false, transposeB: true },
    { batch: 1, m: 1001, n: 77, k: 130, transposeA: true, transposeB: false },
    { batch: 1, m: 9, n: 1003, k: 513, transposeA: true, transposeB: true },
    { batch: 1, m: 129, n: 8, k: 1025, transposeA: true, transposeB: false },
    { batch: 2, m: 513, n: 300, k: 33, transposeA: false, transposeB: false },
    { batch: 67, m: 33, n: 31, k: 35, transposeA: false, transposeB: true },
  ])('sgemmBatched $batch x $m x $n x $k (transposes $transposeA, $transposeB) matches plain loops, cut or not', ({ batch, m, n, k, transposeA, transposeB }) => {
    const a = randomFloats(batch * m * k, 3)
    const b = randomFloats(batch * k * n, 4)
    const [[single], [split]] = onOneAndThreeThreads(() => {
      const c = new Float32Array(batch * m * n).fill(Number.NaN)
      kernels!.sgemmBatched(transposeA, transposeB, batch, m, n, k, a, m * k, b, k * n, c)
      return [c]
    })
    const largest = single!.reduce((max, value) => Math.max(max, Math.abs(value)), 0)
    expect(single!.every((value, index) => Math.abs(value - split![index]!) <= 1e-5 * largest)).toBe(true)
    const last = batch - 1
    const expected = referenceProduct(a.subarray(last * m * k), b.subarray(last * k * n), m, n, k, transposeA, transposeB)
    const worst = expected.reduce((max, value, index) => Math.max(max, Math.abs(split![last * m * n + index]! - value)), 0)
    expect(worst).toBeLessThan(1e-3)
  })

  it('gives the same sums, GELU, layer norm and AdamW update', () => {
    const [rows, size] = [1031, 131]
    const x = randomFloats(rows * size, 5)
    const dy = randomFloats(rows * size, 6)
    const gamma = randomFloats(size, 7)
    const beta = randomFloats(size, 8)
    const moment = randomFloats(rows * size, 9).map(Math.abs)
    const [single, split] = onOneAndThreeThreads(() => {
      const outputs = [size, rows, rows * size, rows * size, rows * size, size, size, rows * size, rows * size, rows * size].map((length) => new Float32Array(length))
      const [columnSums, rowSums, geluOut, geluGrad, normalized, dgamma, dbeta, newParameter, newFirst, newSecond] = outputs as [Float32Array, ...Float32Array[]]
      kernels!.sumAxes(x, 1, rows, size, columnSums)
      kernels!.sumAxes(x, rows, size, 1, rowSums!)
      kernels!.geluForward(x, geluOut!)
      kernels!.geluBackward(x, dy, geluGrad!)
      kernels!.layerNormForward(x, gamma, beta, rows, size, 1e-5, normalized!)
      const dx = new Float32Array(rows * size)
      kernels!.layerNormBackward(x, gamma, dy, rows, size, 1e-5, dx, dgamma!, dbeta!)
      kernels!.adamwUpdate(x, dy, dy, moment, newParameter!, newFirst!, newSecond!, 0.99, 0.9, 0.1, 0.999, 0.001, 0.5, 1e-8, 1e-3)
      return [...outputs, dx]
    })
    split.forEach((output, index) => expect(output).toEqual(single[index]))
    expect(single[0]![3]).toBeCloseTo(Array.from({ length: rows }, (_, row) => x[row * size + 3]!).reduce((sum, value) => sum + value, 0), 3)
  })

  it('gives the same masked softmax and its gradient, each row a softmax of scores / divisor + its bias row', () => {
    const [batch, heads, queries, keys] = [7, 5, 33, 67]
    const rows = batch * heads * queries
    const scores = randomFloats(rows * keys, 10).map((value) => 8 * value)
    // Causal-style bias [batch, 1, queries, keys]: -1e9 above the diagonal.
    const bias = Float32Array.from({ length: batch * queries * keys }, (_, index) => (index % keys > Math.floor(index / keys) % queries ? -1e9 : 0))
    const dy = randomFloats(rows * keys, 11)
    const [[probabilities, dx], split] = onOneAndThreeThreads(() => {
      const out = new Float32Array(rows * keys)
      const gradient = new Float32Array(rows * keys)
      kernels!.maskedSoftmaxForward(scores, bias, batch, heads, queries, keys, queries * keys, 0, keys, 3, out)
      kernels!.maskedSoftmaxBackward(out, dy, rows, keys, 3, gradient)
      return [out, gradient]
    })
    expect(split).toEqual([probabilities, dx])
    // Row (b=6, h=4, q=20): keys 0..20 attended, a plain softmax of scores / 3 there, 0 beyond.
    const row = rows - queries + 20
    const logits = Array.from({ length: 21 }, (_, j) => scores[row * keys + j]! / 3)
    const max = Math.max(...logits)
    const total = logits.reduce((sum, value) => sum + Math.exp(value - max), 0)
    logits.forEach((value, j) => expect(probabilities![row * keys + j]).toBeCloseTo(Math.exp(value - max) / total, 6))
    expect(probabilities!.subarray(row * keys + 21, (row + 1) * keys).every((value) => value === 0)).toBe(true)
    const dot = Array.from({ length: keys }, (_, j) => dy[row * keys + j]! * probabilities![row * keys + j]!).reduce((sum, value) => sum + value, 0)
    expect(dx![row * keys + 5]).toBeCloseTo(probabilities![row * keys + 5]! * (dy[row * keys + 5]! - dot) / 3, 6)
  })
})

/** Codes in the engine's planar layout (packages/engine/src/quantization/packing.ts): code p in word p mod W, slot floor(p / W). */
function packPlanar(codes: number[], bits: number): Int32Array {
  const words = new Int32Array(Math.ceil(codes.length / (32 / bits)))
  codes.forEach((code, p) => {
    words[p % words.length]! |= code << (bits * Math.floor(p / words.length))
  })
  return words
}

describe.skipIf(!load.loaded)(`native dequantizeBlockwise${reason}`, () => {
  const kernels = load.loaded ? load.kernels : undefined
  const threadsBefore = kernels?.getThreads() ?? 1

  it.each([
    // odd sizes: a short last block, unused slots in the words; 8-bit as the double-quantized absmax; large enough to be cut between threads
    { bits: 4, blockSize: 64, size: 315 },
    { bits: 4, blockSize: 64, size: 64 * 8 * 3 },
    { bits: 8, blockSize: 256, size: 329 },
    { bits: 4, blockSize: 64, size: 70_001 },
    { bits: 8, blockSize: 256, size: 40_003 },
  ])('$bits-bit codes in blocks of $blockSize, $size values: codebook[code] × absmax in float32, on 1 and 3 threads', ({ bits, blockSize, size }) => {
    const codebook = randomFloats(2 ** bits, 11)
    codebook[0] = -0
    const absmax = randomFloats(Math.ceil(size / blockSize), 12).map(Math.abs)
    let state = 7
    const codes = Array.from({ length: Math.ceil(size / blockSize) * blockSize }, () => {
      state = (state * 1103515245 + 12345) % 2147483648
      return state % 2 ** bits
    })
    const words = packPlanar(codes, bits)
    const expected = Float32Array.from({ length: size }, (_, i) => Math.fround(codebook[codes[i]!]! * absmax[Math.floor(i / blockSize)]!))
    for (const threads of [1, 3]) {
      kernels!.setThreads(threads)
      const out = new Float32Array(size).fill(Number.NaN)
      kernels!.dequantizeBlockwise(words, absmax, codebook, bits, blockSize, out)
      expect(new Uint32Array(out.buffer)).toEqual(new Uint32Array(expected.buffer))
    }
    kernels!.setThreads(threadsBefore)
  })

  it('checks its arguments before touching memory', () => {
    const words = new Int32Array(2) // 16 four-bit codes
    const absmax = new Float32Array(2)
    const codebook = new Float32Array(16)
    expect(() => kernels!.dequantizeBlockwise(words, absmax, codebook, 4, 8, new Float32Array(17))).toThrow(/dequantizeBlockwise: packedCodes is shorter/)
    expect(() => kernels!.dequantizeBlockwise(words, absmax, codebook, 4, 4, new Float32Array(16))).toThrow(/absmax is shorter/)
    expect(() => kernels!.dequantizeBlockwise(new Int32Array(4), absmax, codebook, 8, 8, new Float32Array(16))).toThrow(/codebook is shorter/)
    expect(() => kernels!.dequantizeBlockwise(words, absmax, codebook, 2, 8, new Float32Array(16))).toThrow(/bits must be 4 or 8/)
    expect(() => kernels!.dequantizeBlockwise(words, absmax, codebook, 4, 0, new Float32Array(16))).toThrow(/blockSize must be at least 1/)
    expect(() => kernels!.dequantizeBlockwise(new Float32Array(2) as unknown as Int32Array, absmax, codebook, 4, 8, new Float32Array(16))).toThrow(/packedCodes must be an Int32Array/)
    expect(() => Reflect.apply(kernels!.dequantizeBlockwise, kernels, [words, absmax, codebook, 4, 8, new Float32Array(16), 1])).toThrow(/takes 6 arguments/)
    const out = new Float32Array(0)
    kernels!.dequantizeBlockwise(new Int32Array(0), new Float32Array(0), codebook, 4, 64, out)
  })
})
