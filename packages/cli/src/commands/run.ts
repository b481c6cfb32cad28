import { readFile } from 'node:fs/promises'
import type { Schemas } from '@bankbench/client'
import { parse as parseYaml } from 'yaml'
import type { CliClient } from '../client'
import { followBenchmark } from '../follow'
import type { Output } from '../output'
import { presetBody } from '../presets'
import { ProgressDisplay } from '../progress'
import { describeReport, writeReport } from './report'
import { printResults } from './results'

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
  output.write(`\n${created.name}: ${status}\n\n`)
  await printResults(client, created.id, output)
  output.write(`${describeReport(await writeReport(client, created.id, options.out))}\n`)
  return status === 'succeeded' ? 0 : 1
}

/** A benchmark spec from a JSON or YAML file (the request body of POST /v1/benchmarks). */
export async function readSpecFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8')
  return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)
}
