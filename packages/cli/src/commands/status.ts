import { configLabel } from '@bankbench/core'
import type { CliClient } from '../client'
import { formatTable } from '../format/table'
import type { Output } from '../output'

/** `bankbench status <id>`: the benchmark's status and progress, and one line per run. */
export async function printStatus(client: CliClient, id: string, output: Output): Promise<number> {
  const { data: benchmark } = await client.api.GET('/v1/benchmarks/{id}', { params: { path: { id } } })
  const { data: runs } = await client.api.GET('/v1/benchmarks/{id}/runs', { params: { path: { id } } })
  const { progress } = benchmark
  output.write(`${benchmark.id}: ${benchmark.name}\nstatus ${benchmark.status}, ${progress.finished}/${progress.total} runs finished\n\n`)
  output.write(`${formatTable(['run', 'method', 'config', 'seed', 'status', 'error'], runs.items.map((run) => [run.id, run.method, configLabel(run.config), String(run.seed), run.status, run.error ?? '']))}\n`)
  return 0
}
