/**
 * A machine with only a C++ compiler (no libopenblas-dev) must still get the native
 * kernels: binding.gyp then leaves OpenBLAS out and the products run on the built-in
 * blocked sgemm. This builds the addon that way, in a scratch directory (the
 * `-Dblas=builtin` gyp variable skips detect-blas.mjs), and loads it.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { loadNativeKernels, type NativeKernels } from './index'

const PACKAGE = fileURLToPath(new URL('..', import.meta.url))
const REPOSITORY = join(PACKAGE, '..', '..')
const load = loadNativeKernels()
const reason = load.loaded ? '' : ` (skipped: no C++ toolchain built the default addon either: ${load.reason})`

describe.skipIf(!load.loaded)(`the native kernels built without OpenBLAS${reason}`, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'bankbench-native-builtin-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('build with only a compiler, run the built-in product, and cannot switch to OpenBLAS', async () => {
    for (const entry of ['binding.gyp', 'detect-blas.mjs', 'src']) cpSync(join(PACKAGE, entry), join(scratch, entry), { recursive: true })
    // Asynchronously: a minute-long synchronous build would starve the test worker's messages to vitest.
    await promisify(execFile)('npm', ['run', 'build', '--silent', '--workspace', '@bankbench/native-kernels', '--', `--directory=${scratch}`, '--', '-Dblas=builtin'], {
      cwd: REPOSITORY,
      maxBuffer: 64 * 1024 * 1024,
      // binding.gyp asks node for node-addon-api's headers from the scratch directory.
      env: { ...process.env, NODE_PATH: join(REPOSITORY, 'node_modules') },
    })
    expect(readFileSync(join(scratch, 'build', 'native_kernels.target.mk'), 'utf8')).not.toMatch(/openblas/i)

    const kernels = createRequire(import.meta.url)(join(scratch, 'build', 'Release', 'native_kernels.node')) as NativeKernels
    kernels.setThreads(2)
    expect(kernels.gemmBackend()).toBe('builtin')
    expect(kernels.useGemmBackend('openblas')).toBe(false)
    expect(kernels.blasConfig()).toMatch(/^built-in blocked sgemm/)
    // [[1, 2], [3, 4]] x [[5, 6], [7, 8]]
    const c = new Float32Array(4)
    kernels.sgemmBatched(false, false, 1, 2, 2, 2, Float32Array.of(1, 2, 3, 4), 0, Float32Array.of(5, 6, 7, 8), 0, c)
    expect(Array.from(c)).toEqual([19, 22, 43, 50])
  }, 600_000)
})
