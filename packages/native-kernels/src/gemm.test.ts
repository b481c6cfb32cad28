import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { loadNativeKernels, type GemmBackend } from './index'
import { randomFloats, referenceProduct } from './testing'

const load = loadNativeKernels()
const reason = load.loaded ? '' : ` (skipped: ${load.reason})`
const kernels = load.loaded ? load.kernels : undefined
const defaultProduct = kernels?.gemmBackend()
const threadsBefore = kernels?.getThreads() ?? 1
/** The products this build has: the built-in one always, OpenBLAS where it was linked. */
const products = kernels ? (['openblas', 'builtin'] as const).filter((product) => kernels.useGemmBackend(product)) : []
/** The built-in product's micro-kernel sets this CPU runs, fastest (the default) first. */
const kernelSets = kernels?.builtinKernelSets() ?? []
/** Every product, and the built-in one on each of its kernel sets. */
const variants = products.flatMap((product): Array<{ product: GemmBackend; set: string }> => (product === 'openblas' ? [{ product, set: '' }] : kernelSets.map((set) => ({ product, set }))))

function use({ product, set }: { product: GemmBackend; set: string }): void {
  kernels!.useGemmBackend(product)
  if (set) kernels!.useBuiltinKernelSet(set)
}

/** Largest difference from the float64 reference, relative to sqrt(k) (float32 sums of k terms of size ~1). */
function worstError(actual: Float32Array, expected: Float64Array, k: number): number {
  return expected.reduce((worst, value, index) => Math.max(worst, Math.abs(actual[index]! - value)), 0) / Math.sqrt(Math.max(k, 1))
}

describe.skipIf(!kernels)(`matrix products${reason}`, () => {
  afterAll(() => {
    if (defaultProduct) kernels!.useGemmBackend(defaultProduct)
    kernels!.useBuiltinKernelSet(kernelSets[0]!)
    kernels!.setThreads(threadsBefore)
  })

  it('runs the built-in product by default where it has vector FMA kernels, else OpenBLAS where linked', () => {
    expect(products).toContain('builtin')
    expect(kernelSets.at(-1)).toBe('portable')
    const fast = kernelSets[0] !== 'portable'
    expect(defaultProduct).toBe(fast || !products.includes('openblas') ? 'builtin' : 'openblas')
    expect(kernels!.useBuiltinKernelSet('no-such-set')).toBe(false)
    expect(kernels!.useGemmBackend('builtin')).toBe(true)
    expect(kernels!.gemmBackend()).toBe('builtin')
    expect(kernels!.blasConfig()).toMatch(/^built-in blocked sgemm \((AVX-512|AVX2\+FMA|portable)/)
    expect(() => kernels!.useGemmBackend('mkl' as GemmBackend)).toThrow(/openblas.*builtin/)
  })

  // Sizes that cross the built-in product's blocks (256 deep, 96 rows, 2048 columns),
  // leave partial register tiles on every side, and take its narrow (transposed) path.
  const shapes = [
    { m: 1, n: 1, k: 1 },
    { m: 7, n: 13, k: 5 },
    { m: 97, n: 33, k: 257 },
    { m: 200, n: 65, k: 600 },
    { m: 5, n: 2050, k: 3 },
    { m: 300, n: 8, k: 70 },
    { m: 64, n: 3, k: 300 },
  ]
  const cases = variants.flatMap((variant) => shapes.flatMap((shape) =>
    [[false, false], [true, false], [false, true], [true, true]].map(([transposeA, transposeB]) => ({ ...variant, ...shape, transposeA: transposeA!, transposeB: transposeB! }))))

  it.each(cases)('$product $set: $m x $n x $k (transposes $transposeA, $transposeB) matches plain loops on 1 and 3 threads', ({ product, set, m, n, k, transposeA, transposeB }) => {
    use({ product, set })
    const a = randomFloats(m * k, m + 3 * k)
    const b = randomFloats(k * n, n + 5 * k)
    const expected = referenceProduct(a, b, m, n, k, transposeA, transposeB)
    for (const threads of [1, 3]) {
      kernels!.setThreads(threads)
      const c = new Float32Array(m * n).fill(Number.NaN)
      kernels!.sgemmBatched(transposeA, transposeB, 1, m, n, k, a, 0, b, 0, c)
      expect(worstError(c, expected, k)).toBeLessThan(1e-5)
    }
  })

  it.each(variants)('$product $set: linearForward adds the product onto the bias (beta 1), narrow and wide', ({ product, set }) => {
    use({ product, set })
    for (const [rows, inFeatures, outFeatures] of [[130, 300, 8], [70, 40, 2100], [3, 1, 1]] as const) {
      const x = randomFloats(rows * inFeatures, 11)
      const weight = randomFloats(outFeatures * inFeatures, 12)
      const bias = randomFloats(outFeatures, 13)
      const y = new Float32Array(rows * outFeatures).fill(Number.NaN)
      kernels!.linearForward(x, weight, bias, rows, inFeatures, outFeatures, y)
      const expected = referenceProduct(x, weight, rows, outFeatures, inFeatures, false, true).map((value, index) => value + bias[index % outFeatures]!)
      expect(worstError(y, expected, inFeatures)).toBeLessThan(1e-5)
    }
  })

  it('the built-in product gives the same result on 1 and 3 threads, bit for bit (each element summed in the same order)', () => {
    use({ product: 'builtin', set: kernelSets[0]! })
    const [m, n, k] = [300, 70, 600]
    const a = randomFloats(m * k, 31)
    const b = randomFloats(k * n, 32)
    const results = [1, 3].map((threads) => {
      kernels!.setThreads(threads)
      const c = new Float32Array(m * n)
      kernels!.sgemmBatched(false, false, 1, m, n, k, a, 0, b, 0, c)
      return Array.from(c)
    })
    expect(results[1]).toEqual(results[0])
  })

  it('built-in and OpenBLAS agree within float32 rounding on a transformer-sized product', () => {
    if (products.length < 2) return
    const [m, n, k] = [512, 256, 1024]
    const a = randomFloats(m * k, 21)
    const b = randomFloats(n * k, 22)
    const [openblas, builtin] = products.map((product) => {
      use({ product, set: product === 'builtin' ? kernelSets[0]! : '' })
      const c = new Float32Array(m * n)
      kernels!.sgemmBatched(false, true, 1, m, n, k, a, 0, b, 0, c)
      return c
    })
    const largest = openblas!.reduce((max, value) => Math.max(max, Math.abs(value)), 0)
    expect(openblas!.every((value, index) => Math.abs(value - builtin![index]!) <= 1e-5 * largest)).toBe(true)
  })
})

describe.skipIf(!kernels)(`BANKBENCH_MATRIX_PRODUCT${reason}`, () => {
  /** gemmBackend() of a fresh process loading the addon with the given setting, or its error. */
  async function productIn(value: string): Promise<string> {
    const script = "import { loadNativeKernels } from '@bankbench/native-kernels'; const l = loadNativeKernels(); console.log(l.loaded ? l.kernels.gemmBackend() : l.reason)"
    const { stdout } = await promisify(execFile)('npx', ['tsx', '-e', script], { env: { ...process.env, BANKBENCH_MATRIX_PRODUCT: value } })
    return stdout.trim()
  }

  it('chooses the product when the addon loads', async () => {
    expect(await productIn('builtin')).toBe('builtin')
    if (products.includes('openblas')) expect(await productIn('openblas')).toBe('openblas')
    else expect(await productIn('openblas')).toMatch(/built without OpenBLAS/)
  })
})
