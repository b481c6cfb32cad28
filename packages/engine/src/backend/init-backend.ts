/**
 * Picks the tensor backend at run time, so one engine serves the production GPU
 * image (tfjs-node-gpu, libtensorflow) and machines where only wasm or plain JS
 * can run. The choice is recorded with every run (see BackendInfo).
 */
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setting, type SettingName } from '@bankbench/settings'
import { registerCustomKernels } from './kernels'
import { nativeKernelThreads, nativeMatrixProduct, registerNativeKernels } from './kernels/native'

export type BackendName = 'tensorflow' | 'wasm' | 'cpu'

export interface BackendInfo {
  name: BackendName
  /** wasm only: whether the SIMD build was loaded. */
  simd?: boolean
  /** Threads the backend really uses (wasm in Node runs one, whatever it is asked). */
  threads: number
  gpu: boolean
  tfjsVersion: string
  /** Kernels this engine registered in place of (or in addition to) the backend's own. */
  customKernels: string[]
  /**
   * Kernels running natively (`@bankbench/native-kernels`) when the backend
   * was set up; empty where the addon is not built or BANKBENCH_NATIVE_KERNELS=0.
   */
  nativeKernels: string[]
  /** Threads the native kernels use (the addon's pool; the product runs single-threaded in each part), when there are any. */
  nativeThreads?: number
  /** The native matrix product, when there are native kernels: OpenBLAS's build string or the addon's built-in blocked product. */
  nativeMatrixProduct?: string
}

const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu']

/** Environment variable that overrides the automatic choice. */
export const BACKEND_ENV_VARIABLE = 'BANKBENCH_BACKEND' satisfies SettingName

const initialized = new Map<BackendName, Promise<BackendInfo>>()

/**
 * Makes a backend the active tfjs backend and describes it. Order of precedence:
 * `preference`, then `$BANKBENCH_BACKEND`, then the first of tensorflow, wasm, cpu
 * that loads. A backend that was asked for by name and cannot load is an error;
 * the automatic choice falls through to the next one instead.
 * Calling it again is cheap: each backend is set up once per process.
 */
export async function initBackend(preference?: BackendName): Promise<BackendInfo> {
  const requested = preference ?? backendFromEnvironment()
  if (requested) return activate(requested)
  const failures: string[] = []
  for (const name of BACKEND_NAMES) {
    try {
      return await activate(name)
    } catch (error) {
      // Not available here (no libtensorflow, no wasm binary): try the next one.
      failures.push(`${name}: ${(error as Error).message}`)
    }
  }
  throw new Error(`No tfjs backend could be initialised (${failures.join('; ')})`)
}

/** `$BANKBENCH_BACKEND`; an unknown name is a SettingError that lists the backends. */
function backendFromEnvironment(): BackendName | undefined {
  return setting(BACKEND_ENV_VARIABLE)
}

async function activate(name: BackendName): Promise<BackendInfo> {
  let setup = initialized.get(name)
  if (!setup) {
    setup = SETUP[name]()
    initialized.set(name, setup)
    // A failed setup may succeed later (say, after installing a package): do not cache it.
    setup.catch(() => initialized.delete(name))
  }
  const info = await setup
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) {
    throw new Error(`tfjs backend ${name} was set up but could not be made active`)
  }
  return info
}

const SETUP: Record<BackendName, () => Promise<BackendInfo>> = {
  async tensorflow() {
    // Imported by a computed name: neither package is installed outside the GPU image,
    // and importing either one registers the 'tensorflow' backend with tfjs.
    const failures: string[] = []
    let gpu: boolean | undefined
    for (const [packageName, isGpuBuild] of [['@tensorflow/tfjs-node-gpu', true], ['@tensorflow/tfjs-node', false]] as const) {
      try {
        await import(/* @vite-ignore */ packageName)
        gpu = isGpuBuild
        break
      } catch (error) {
        failures.push(`${packageName}: ${(error as Error).message.split('\n')[0]}`)
      }
    }
    if (gpu === undefined) {
      throw new Error(`The tensorflow backend needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, and neither can be imported here (${failures.join('; ')})`)
    }
    await setActive('tensorflow')
    // libtensorflow sizes its thread pools to the machine's cores by default.
    return describe('tensorflow', { threads: availableParallelism(), gpu })
  },

  async wasm() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm')
    wasm.setWasmPaths(wasmBinaryDirectory())
    await setActive('wasm')
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))
    return { ...describe('wasm', { threads: wasm.getThreadsCount(), gpu: false }), simd }
  },

  async cpu() {
    await setActive('cpu')
    return describe('cpu', { threads: 1, gpu: false })
  },
}

/**
 * Where the wasm backend's .wasm binaries are, for a bundle that carries them outside
 * node_modules (the inference Lambda: infra/lambda-bundles.ts copies them beside its code).
 */
export const WASM_DIRECTORY_ENV_VARIABLE = 'BANKBENCH_TFJS_WASM_DIR' satisfies SettingName

/**
 * setWasmPaths wants the folder holding the .wasm binaries, with a trailing slash:
 * `$BANKBENCH_TFJS_WASM_DIR` where set, else the installed package's dist/.
 */
function wasmBinaryDirectory(): string {
  const configured = setting(WASM_DIRECTORY_ENV_VARIABLE)
  if (configured) return join(configured, '/')
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')
  return join(dirname(entry), '/')
}

async function setActive(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`)
  await tf.ready()
}

function describe(name: BackendName, { threads, gpu }: { threads: number; gpu: boolean }): BackendInfo {
  const customKernels = registerCustomKernels(name)
  const nativeKernels = registerNativeKernels(name)
  const nativeThreads = nativeKernels.length > 0 ? nativeKernelThreads() : undefined
  const matrixProduct = nativeKernels.length > 0 ? nativeMatrixProduct() : undefined
  return {
    name, threads, gpu, tfjsVersion: tf.version.tfjs, customKernels, nativeKernels,
    ...(nativeThreads && { nativeThreads }), ...(matrixProduct && { nativeMatrixProduct: matrixProduct }),
  }
}
