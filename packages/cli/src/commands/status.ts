import { configLabel } from '@bankbench/core'
import type { BenchmarkDetail, RunSummary } from '../api-types'
import type { ApiClient } from '../client'
import { formatTable } from '../format/table'
import type { Output } from '../output'

/** `bankbench status <id>`: the benchmark's status and progress, and one line per run. */
export async function printStatus(client: ApiClient, id: string, output: Output): Promise<number> {
  const benchmark = await client.getJson<BenchmarkDetail>(`/v1/benchmarks/${id}`)
  const runs = (await client.getJson<{ items: RunSummary[] }>(`/v1/benchmarks/${id}/runs`)).items
  const { progress } = benchmark
  output.write(`${benchmark.id}: ${benchmark.name}\nstatus ${benchmark.status}, ${progress.finished}/${progress.total} runs finished\n\n`)
  output.write(`${formatTable(['run', 'method', 'config', 'seed', 'status', 'error'], runs.map((run) => [run.id, run.method, configLabel(run.config), String(run.seed), run.status, run.error ?? '']))}\n`)
  return 0
}
