/**
 * Runs every bench in bench/, one after the other (they time things: never two at once):
 *   npm run bench
 * Each runs in its own process, as `npx tsx bench/<name>.ts` would; a failed bench is
 * reported and the rest still run. train-banking77.ts is left out: it is a training run
 * of many minutes, not a bench. load-classify.ts trains the model it serves first (a
 * minute or two).
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BENCHES = ['tfidf-logreg', 'engine-training', 'engine-inference', 'load-classify']

const failed = BENCHES.filter((name) => {
  console.log(`\n=== ${name} ===`)
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url))
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' })
  return status !== 0
})
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`)
  process.exitCode = 1
}
