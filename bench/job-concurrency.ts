/**
 * How the local job runner should use the cores: one job process at a time with every core
 * (the peer: BANKBENCH_CONCURRENCY=1, the old default of every run) against several at once,
 * each with its share of the cores (LocalJobRunner's nativeThreadsPerJob). Each job is a real
 * fine-tune in its own process, as the runner starts them:
 *   npx tsx bench/job-concurrency.ts [--jobs 4] [--method lora] [--train-subset 2000] [--epochs 1] [--concurrency 2]
 * Prints the wall time of all the jobs under each arrangement. Run it on an idle machine.
 */
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { nativeThreadsPerJob } from '@bankbench/core'

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '4' },
    method: { type: 'string', default: 'lora' },
    'train-subset': { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: String(Math.min(2, availableParallelism())) },
  },
})
const jobs = Number(values.jobs)
const job = ['tsx', 'bench/train-banking77.ts', '--backbone', 'models/bankbench-mini', '--methods', values.method, '--train-subset', values['train-subset'], '--epochs', values.epochs, '--no-peer']

/** Runs `jobs` jobs, `concurrency` at a time, each with the runner's thread share; the wall time in seconds. */
async function runAll(concurrency: number): Promise<number> {
  const threads = nativeThreadsPerJob(concurrency, {})
  const started = performance.now()
  let next = 0
  const worker = async () => {
    while (next < jobs) {
      next++
      await new Promise<void>((resolve, reject) => {
        const child = spawn('npx', job, { env: { ...process.env, BANKBENCH_NATIVE_THREADS: threads }, stdio: ['ignore', 'ignore', 'inherit'] })
        child.on('exit', (code) => code === 0 ? resolve() : reject(new Error(`job exited ${code}`)))
      })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return (performance.now() - started) / 1000
}

console.log(`${jobs} jobs of ${values.method}, ${values.epochs} epoch(s) on ${values['train-subset']} rows, ${availableParallelism()} cores`)
const one = await runAll(1)
console.log(`one at a time, ${nativeThreadsPerJob(1, {})} threads each (peer): ${one.toFixed(1)} s`)
const many = Number(values.concurrency)
const several = await runAll(many)
console.log(`${many} at a time, ${nativeThreadsPerJob(many, {})} thread(s) each: ${several.toFixed(1)} s (${(one / several).toFixed(2)}x the peer's throughput)`)
