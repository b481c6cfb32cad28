/**
 * Runs before `npm run demo` and `npm start`: builds the engine's native kernels once,
 * when the machine has a C++ compiler, make and Python (node-gyp's needs). They use
 * OpenBLAS where libopenblas-dev is installed, else their own blocked matrix product,
 * about as fast here. Without a compiler the engine runs on plain tfjs, so a failed
 * build is a note, not an error.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { setting } from '@bankbench/settings'

const ADDON = 'packages/native-kernels/build/Release/native_kernels.node'

if (!existsSync(ADDON) && setting('BANKBENCH_NATIVE_KERNELS')) {
  const build = spawnSync('npm', ['run', 'build:native', '--silent'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (build.status !== 0) {
    console.warn('native kernels not built (they need a C++ compiler, make and python3): the engine runs on plain tfjs, 10-30x slower on CPU')
  }
}
