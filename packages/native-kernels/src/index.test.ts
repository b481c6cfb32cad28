import { describe, expect, it } from 'vitest'
import { loadNativeKernels } from './index'

const load = loadNativeKernels()
const reason = load.loaded ? '' : ` (skipped: ${load.reason})`

/** Row-major op(a) x op(b) with plain loops, in float64. */
function referenceProduct(a: Float32Array, b: Float32Array, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): Float64Array {
  const c = new Float64Array(m * n)
  for (let row = 0; row < m; row++) {
    for (let column = 0; column < n; column++) {
      let sum = 0
      for (let inner = 0; inner < k; inner++) {
        const aValue = transposeA ? a[inner * m + row]! : a[row * k + inner]!
        const bValue = transposeB ? b[column * k + inner]! : b[inner * n + column]!
        sum += aValue * bValue
      }
      c[row * n + column] = sum
    }
  }
  return c
}

function randomFloats(length: number, seed: number): Float32Array {
  let state = seed
  return Float32Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 1073741824 - 1
  })
}

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
    expect(kernels!.blasConfig()).toMatch(/OpenBLAS/)
  })

  it('checks the fused kernels\' sizes and types before touching memory', () => {
    const four = new Float32Array(4)
    expect(() => kernels!.geluForward(four, new Float32Array(3))).toThrow(RangeError)
    expect(() => kernels!.sumAxes(four, 1, 5, 1, four)).toThrow(/sumAxes: x is shorter/)
    expect(() => kernels!.layerNormForward(four, four, new Float32Array(1), 2, 2, 1e-5, four)).toThrow(/beta is shorter/)
    expect(() => kernels!.gatherRows(four, 2, 2, new Float32Array(1) as unknown as Int32Array, four)).toThrow(/indices must be an Int32Array/)
    expect(() => kernels!.adamwUpdate(four, four, four, four, four, four, new Float32Array(2), 1, 0.9, 0.1, 0.999, 0.001, 1, 1e-8, 1e-3)).toThrow(RangeError)
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
