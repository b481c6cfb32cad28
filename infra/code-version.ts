import { execFileSync } from 'node:child_process'
import { setting, type SettingName } from '@bankbench/settings'

/** The images' build argument (containers/<name>/Dockerfile), which they set as the variable of the same name. */
export const CODE_VERSION_BUILD_ARG = 'BANKBENCH_CODE_VERSION' satisfies SettingName

/**
 * The code version the images built from the checkout at `root` record with every run
 * (packages/core job-process): BANKBENCH_CODE_VERSION when the deploying shell sets it,
 * else the commit, with `-dirty` when the working tree has changes (the image is built
 * from the working tree, not the commit), else (no git) undefined: the runs record none.
 */
export function codeVersionOfCheckout(root: string, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const configured = setting('BANKBENCH_CODE_VERSION', env)
  if (configured) return configured
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  try {
    const commit = git('rev-parse', 'HEAD')
    return git('status', '--porcelain') === '' ? commit : `${commit}-dirty`
  } catch {
    return undefined
  }
}
