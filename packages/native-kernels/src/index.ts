/**
 * Loads the OpenBLAS addon built by `npm run build:native` (node-gyp, against
 * Debian's libopenblas-dev). Nothing builds it at install time: npm blocks install
 * scripts by default, and a machine without a compiler or OpenBLAS must still run
 * the engine on plain tfjs. So loading never throws; it says why it failed instead.
 */
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'

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
  /** Threads OpenBLAS may use for one product. */
  setThreads(count: number): void
  getThreads(): number
  /** OpenBLAS's build description, such as "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64". */
  blasConfig(): string
}

export type NativeKernelsLoad = { loaded: true; kernels: NativeKernels } | { loaded: false; reason: string }

/** Where node-gyp puts the addon: build/Release beside this package's binding.gyp. */
export const ADDON_PATH = fileURLToPath(new URL('../build/Release/native_kernels.node', import.meta.url))

let load: NativeKernelsLoad | undefined

/** Overrides the OpenBLAS thread count (default: every available core). */
export const NATIVE_THREADS_ENV_VARIABLE = 'BANKBENCH_NATIVE_THREADS'

/**
 * The addon, loaded once per process with OpenBLAS set to `threads` threads (default:
 * `$BANKBENCH_NATIVE_THREADS`, else every available core), or why it could not be loaded.
 */
export function loadNativeKernels({ threads = defaultThreads() }: { threads?: number } = {}): NativeKernelsLoad {
  if (!load) {
    try {
      const kernels = createRequire(import.meta.url)(ADDON_PATH) as NativeKernels
      kernels.setThreads(threads)
      load = { loaded: true, kernels }
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]
      load = { loaded: false, reason: `${ADDON_PATH} could not be loaded (${message}); build it with \`npm run build:native\` (needs libopenblas-dev and a C++ compiler)` }
    }
  }
  return load
}

function defaultThreads(): number {
  const requested = Number(process.env[NATIVE_THREADS_ENV_VARIABLE])
  return Number.isInteger(requested) && requested >= 1 ? requested : availableParallelism()
}
