/**
 * Runs before `npm run demo` and `npm start`: builds the engine's native matrix
 * product once, when the machine has what it needs (libopenblas-dev, g++, make).
 * Without it the engine runs on plain tfjs, so a failed build is a note, not an error.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { setting } from '@bankbench/settings'

const ADDON = 'packages/native-kernels/build/Release/native_kernels.node'

if (!existsSync(ADDON) && setting('BANKBENCH_NATIVE_KERNELS')) {
  const build = spawnSync('npm', ['run', 'build:native', '--silent'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (build.status !== 0) {
    console.warn('native kernels not built (they need libopenblas-dev, g++ and make): the engine runs on plain tfjs, 5-10x slower on CPU')
  }
}
