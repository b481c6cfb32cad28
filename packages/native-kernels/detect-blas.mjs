// Prints "openblas" when a program using cblas.h compiles and links with -lopenblas
// on this machine (Debian: libopenblas-dev), else "builtin": binding.gyp then leaves
// OpenBLAS out and the addon's matrix products run on src/gemm-builtin.cc.
// `node-gyp rebuild -- -Dblas=builtin` skips the check (a test builds it that way).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const directory = mkdtempSync(join(tmpdir(), 'bankbench-blas-'))
const program = '#include <cblas.h>\nint main() { return openblas_get_config() == nullptr; }\n'
const compiler = spawnSync('c++', ['-x', 'c++', '-', '-o', join(directory, 'probe'), '-lopenblas'], { input: program, stdio: ['pipe', 'ignore', 'ignore'] })
rmSync(directory, { recursive: true, force: true })
process.stdout.write(compiler.status === 0 ? 'openblas' : 'builtin')
