/**
 * Loads the native kernels addon (matrix products and fused transformer kernels)
 * built by `npm run build:native` (node-gyp; against OpenBLAS where the machine has
 * libopenblas-dev, else with the addon's own blocked product, src/gemm-builtin.cc).
 * Nothing builds it at install time: npm blocks install scripts by default, and a
 * machine without a C++ compiler must still run the engine on plain tfjs. So loading
 * never throws; it says why it failed instead.
 */
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { setting, settingText, type SettingName } from '@bankbench/settings'

export interface NativeKernels {
  /**
   * For every i < batch, row-major: c[i] = op(a[i]) x op(b[i]), where op(a[i]) is m x k
   * (a[i] stored k x m when transposeA) and op(b[i]) is k x n (stored n x k when
   * transposeB). a[i] starts at element i * aStride of `a` (a stride of 0 broadcasts
   * one matrix over the batch), likewise b; c[i] starts at i * m * n. Writes c in
   * place; throws a RangeError when an array is too short for the sizes given.
   */
  sgemmBatched(
    transposeA: boolean,
    transposeB: boolean,
    batch: number,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    aStride: number,
    b: Float32Array,
    bStride: number,
    c: Float32Array,
  ): void
  /** torch.nn.Linear: y [rows, out] = x [rows, in] · weight [out, in]ᵀ + bias [out] (the bias written first, the product added onto it). */
  linearForward(x: Float32Array, weight: Float32Array, bias: Float32Array, rows: number, inFeatures: number, outFeatures: number, y: Float32Array): void
  /**
   * out = a op b elementwise in float32 (op 0 add, 1 subtract, 2 multiply, 3 divide) over the loop
   * nest layout = [rank, shape..., a's strides..., b's strides...], innermost last, a stride of 0
   * broadcasting; out is written contiguously. Each element is the one IEEE operation tfjs does.
   */
  binaryOp(op: number, a: Float32Array, b: Float32Array, out: Float32Array, layout: Int32Array): void
  /** out (contiguous) takes x's elements over the loop nest layout = [rank, shape..., x's strides...], innermost last: a transpose. */
  stridedCopy(x: Float32Array, out: Float32Array, layout: Int32Array): void
  /** The sum of x² over every element of every array, in double (the squared global norm of a set of gradients). */
  sumOfSquares(arrays: Float32Array[]): number
  /** x seen as [outer, reduce, inner]: out[o, i] = sum over r of x[o, r, i] (accumulated in float64). */
  sumAxes(x: Float32Array, outer: number, reduce: number, inner: number, out: Float32Array): void
  /**
   * out[i, :] = table[indices[i], :], with table seen as [rows, rowSize]. Returns false,
   * writing nothing, when an index is outside [0, rows).
   */
  gatherRows(table: Float32Array, rows: number, rowSize: number, indices: Int32Array, out: Float32Array): boolean
  /** out = x Φ(x) = 0.5 x (1 + erf(x / √2)), elementwise over x. */
  geluForward(x: Float32Array, out: Float32Array): void
  /** dx = dy (Φ(x) + x φ(x)): the gradient of geluForward. */
  geluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void
  /** y = (x − mean) / √(variance + eps) · gamma + beta over each row of x [rows, size]. */
  layerNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, rows: number, size: number, eps: number, y: Float32Array): void
  /** The gradients of layerNormForward given dy: dx [rows, size], dgamma and dbeta [size] (summed over rows). */
  layerNormBackward(
    x: Float32Array, gamma: Float32Array, dy: Float32Array, rows: number, size: number, eps: number,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  ): void
  /**
   * out = softmax(scores / divisor + bias) over each row of keys, scores and out [batch, heads, queries, keys];
   * the bias row of (b, h, q) starts at b·biasBatchStride + h·biasHeadStride + q·biasQueryStride (a stride of 0 broadcasts).
   */
  maskedSoftmaxForward(
    scores: Float32Array, bias: Float32Array, batch: number, heads: number, queries: number, keys: number,
    biasBatchStride: number, biasHeadStride: number, biasQueryStride: number, divisor: number, out: Float32Array,
  ): void
  /** The gradient of maskedSoftmaxForward with respect to scores, from its output y [rows, keys]: dx = y (dy − Σ dy·y) / divisor per row. */
  maskedSoftmaxBackward(y: Float32Array, dy: Float32Array, rows: number, keys: number, divisor: number, dx: Float32Array): void
  /**
   * Blockwise dequantization (QLoRA's 4-bit weights, their 8-bit absmax constants): out[i] =
   * codebook[code i] · absmax[floor(i / blockSize)] in float32 for every i < out.length, code i
   * read from packedCodes in the engine's planar layout (with W words, word i mod W, bits
   * [bits·floor(i / W), +bits)). bits is 4 or 8; codebook holds 2^bits values. Throws a
   * RangeError when an array is too short for out.length.
   */
  dequantizeBlockwise(packedCodes: Int32Array, absmax: Float32Array, codebook: Float32Array, bits: number, blockSize: number, out: Float32Array): void
  /**
   * One AdamW step in float32, in torch.optim.AdamW's order (see adamw.cc):
   * p = parameter·decayFactor; m' = m·β1 + g·(1−β1); v' = v·β2 + g²·(1−β2);
   * p' = p − m' / (√v' / secondMomentCorrection + ε) · stepSize. The outputs must not overlap the inputs.
   */
  adamwUpdate(
    parameter: Float32Array, gradient: Float32Array, firstMoment: Float32Array, secondMoment: Float32Array,
    newParameter: Float32Array, newFirstMoment: Float32Array, newSecondMoment: Float32Array,
    decayFactor: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    secondMomentCorrection: number, epsilon: number, stepSize: number,
  ): void
  /**
   * Continues seedrandom's Alea generator from state (s0, s1, s2, c) for out.length
   * numbers u and writes floor(u + keep) / keep in float32: tf.dropout's multipliers
   * for the same seed, bit for bit.
   */
  dropoutMultipliers(s0: number, s1: number, s2: number, c: number, keepProbability: number, out: Float32Array): void
  /**
   * Threads the kernels may use, the calling one included: the addon's own pool splits
   * large products and elementwise kernels between them (OpenBLAS itself stays single-threaded).
   */
  setThreads(count: number): void
  getThreads(): number
  /**
   * The running product's description: OpenBLAS's build string, such as "OpenBLAS 0.3.21
   * DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64", or the built-in one's, such as
   * "built-in blocked sgemm (AVX-512 micro-kernel, 6x32)".
   */
  blasConfig(): string
  /**
   * Which matrix product runs: by default the built-in one where it has vector FMA micro-kernels
   * (x86-64 with AVX2 or AVX-512, where it measured faster than Debian's OpenBLAS: bench/matrix-product.ts),
   * else OpenBLAS where the addon was linked against it; `$BANKBENCH_MATRIX_PRODUCT` overrides.
   */
  gemmBackend(): GemmBackend
  /** Switches the matrix product; false (nothing changed) for "openblas" in an addon built without it. */
  useGemmBackend(backend: GemmBackend): boolean
  /** The built-in product's micro-kernel sets this CPU runs, fastest first: "avx512", "avx2", "portable". */
  builtinKernelSets(): string[]
  /** Runs the built-in product on another of its kernel sets (to measure what a machine without the fastest gets); false when unsupported. */
  useBuiltinKernelSet(name: string): boolean
}

/** The addon's two matrix products: OpenBLAS's cblas_sgemm, or its own blocked one (src/gemm-builtin.cc). */
export type GemmBackend = 'openblas' | 'builtin'

export type NativeKernelsLoad = { loaded: true; kernels: NativeKernels } | { loaded: false; reason: string }

/** Where node-gyp puts the addon: build/Release beside this package's binding.gyp. */
export const ADDON_PATH = fileURLToPath(new URL('../build/Release/native_kernels.node', import.meta.url))

let load: NativeKernelsLoad | undefined

/** Chooses the matrix product, `builtin` or `openblas` (default: the addon's choice, see NativeKernels.gemmBackend). */
export const MATRIX_PRODUCT_ENV_VARIABLE = 'BANKBENCH_MATRIX_PRODUCT' satisfies SettingName

/** Overrides the kernels' thread count (default: every available core). */
export const NATIVE_THREADS_ENV_VARIABLE = 'BANKBENCH_NATIVE_THREADS' satisfies SettingName

/**
 * The addon, loaded once per process with its pool set to `threads` threads (default:
 * `$BANKBENCH_NATIVE_THREADS`, else every available core), or why it could not be loaded.
 */
export function loadNativeKernels({ threads = defaultThreads() }: { threads?: number } = {}): NativeKernelsLoad {
  if (!load) {
    try {
      const kernels = withoutOpenBlasThreads(() => createRequire(import.meta.url)(ADDON_PATH) as NativeKernels)
      kernels.setThreads(threads)
      const product = setting(MATRIX_PRODUCT_ENV_VARIABLE)
      if (product && !kernels.useGemmBackend(product)) {
        throw new Error(`${MATRIX_PRODUCT_ENV_VARIABLE}=${product}, but the addon was built without OpenBLAS (install libopenblas-dev and run npm run build:native)`)
      }
      load = { loaded: true, kernels }
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]
      load = { loaded: false, reason: `${ADDON_PATH} could not be loaded (${message}); build it with \`npm run build:native\` (needs a C++ compiler and make; libopenblas-dev where available)` }
    }
  }
  return load
}

/**
 * OpenBLAS starts its own thread team when it loads, sized by OPENBLAS_NUM_THREADS; the
 * addon's pool does the threading instead, so the variable is 1 while it loads, and put
 * back afterwards: child processes (the PyTorch peer of the benches) must not inherit it.
 */
function withoutOpenBlasThreads<T>(load: () => T): T {
  const previous = settingText('OPENBLAS_NUM_THREADS')
  process.env.OPENBLAS_NUM_THREADS = '1'
  try {
    return load()
  } finally {
    if (previous === undefined) delete process.env.OPENBLAS_NUM_THREADS
    else process.env.OPENBLAS_NUM_THREADS = previous
  }
}

function defaultThreads(): number {
  return setting(NATIVE_THREADS_ENV_VARIABLE) ?? availableParallelism()
}
