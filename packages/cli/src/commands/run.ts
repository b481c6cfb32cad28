import { readFile } from 'node:fs/promises'
import type { Schemas } from '@bankbench/client'
import { parse as parseYaml } from 'yaml'
import type { CliClient } from '../client'
import { followBenchmark } from '../follow'
import { formatMethodsTable, formatRecommendation, formatRunsTable } from '../format/comparison'
import { formatSelection } from '../format/selection'
import { formatVectorStores } from '../format/vector-stores'
import type { Output } from '../output'
import { presetBody } from '../presets'
import { ProgressDisplay } from '../progress'
import { describeReport, writeReport } from './report'

export interface RunOptions {
  preset: string | undefined
  file: string | undefined
  out: string
}

/**
 * `bankbench run`: submits the benchmark, follows it to the end, prints the
 * comparison matrix and the recommendation, and writes the report. Returns the exit
 * code: 0 when the benchmark succeeded.
 */
export async function runBenchmark(client: CliClient, options: RunOptions, output: Output): Promise<number> {
  let body: Schemas['BenchmarkSpec']
  if (options.file) {
    // Whatever the file holds: the server validates it and answers a problem naming what is wrong.
    body = await readSpecFile(options.file) as Schemas['BenchmarkSpec']
  } else {
    const { body: presetRequest, preset } = await presetBody(client, options.preset ?? 'demo')
    output.write(`preset ${preset.name} (${preset.runCount} runs): ${preset.description}\n`)
    body = presetRequest
  }
  const { data: created } = await client.api.POST('/v1/benchmarks', { body })
  output.write(`submitted ${created.id}: ${created.name} (${created.progress.total} runs) to the ${client.describe}\n`)
  const status = await followBenchmark(client, created.id, new ProgressDisplay(output))
  const params = { path: { id: created.id } }
  const { data: comparison } = await client.api.GET('/v1/benchmarks/{id}/comparison', { params })
  const { data: recommendation } = await client.api.GET('/v1/benchmarks/{id}/recommendations', { params })
  output.write(`\n${created.name}: ${status}\n\n${formatRunsTable(comparison)}\n\nBest configuration of each method (mean ± std over seeds):\n${formatMethodsTable(comparison)}\n\n${formatRecommendation(recommendation)}\n\n`)
  // A data-selection benchmark's answer is its labels-to-target table, beside random.
  const runs = (await client.api.GET('/v1/benchmarks/{id}/runs', { params })).data.items
  const selection = formatSelection(runs, comparison)
  if (selection) output.write(`${selection}\n\n`)
  // A vector-store benchmark's answer is its store table and the best store at the recall floor.
  const vectorStores = formatVectorStores(runs)
  if (vectorStores) output.write(`${vectorStores}\n\n`)
  output.write(`${describeReport(await writeReport(client, created.id, options.out))}\n`)
  return status === 'succeeded' ? 0 : 1
}

/** A benchmark spec from a JSON or YAML file (the request body of POST /v1/benchmarks). */
export async function readSpecFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8')
  return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)
}
