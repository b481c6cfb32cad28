import { execFileSync } from 'node:child_process'

/**
 * Builds the Lambda bundles that the functions deploy, with the command CI runs
 * (scripts/build-lambdas.ts), in a child process: the SST config runs from
 * .sst/platform, where `esbuild` would resolve to SST's own copy, not the
 * project's pinned one.
 */
export function buildLambdaBundlesForDeploy() {
  execFileSync('node_modules/.bin/tsx', ['scripts/build-lambdas.ts'], { cwd: $cli.paths.root, stdio: 'inherit' })
}
