import { configLabel } from '@bankbench/core'
import type { CliClient } from '../client'
import { formatTable } from '../format/table'
import type { Output } from '../output'
import { printResults } from './results'

/**
 * `bankbench status <id>`: the benchmark's status and progress, and one line per run;
 * once every run has finished, its answer too, as `run` printed it (the tables of a study
 * that ran hours ago, without rerunning it).
 */
export async function printStatus(client: CliClient, id: string, output: Output): Promise<number> {
  const { data: benchmark } = await client.api.GET('/v1/benchmarks/{id}', { params: { path: { id } } })
  const { data: runs } = await client.api.GET('/v1/benchmarks/{id}/runs', { params: { path: { id } } })
  const { progress } = benchmark
  output.write(`${benchmark.id}: ${benchmark.name}\nstatus ${benchmark.status}, ${progress.finished}/${progress.total} runs finished\n\n`)
  output.write(`${formatTable(['run', 'method', 'config', 'seed', 'status', 'error'], runs.items.map((run) => [run.id, run.method, configLabel(run.config), String(run.seed), run.status, run.error ?? '']))}\n`)
  if (progress.total > 0 && progress.finished === progress.total) {
    output.write('\n')
    await printResults(client, id, output)
  }
  return 0
}
