/**
 * `npm run demo`: the main job on embedded defaults. Starts the stack, submits the
 * demo benchmark on Banking77 through the HTTP API (exactly what a client would
 * send), follows its progress, and prints what every run measured.
 */
import { createPlatform, loadConfig } from '@bankbench/core'
import { startServer } from '../functions/api/server'
import { DEMO_BENCHMARK } from './demo-benchmark'
import { formatTable } from './format-table'

const config = loadConfig()
console.log(`bankbench demo — embedded stack in ${config.home}`)
const platform = await createPlatform(config)
const server = await startServer(platform, 0)

try {
  const created = await api('POST', '/v1/benchmarks', DEMO_BENCHMARK)
  console.log(`submitted ${created.id}: ${created.name} (${created.progress?.total ?? '?'} runs)`)
  let last = ''
  for (;;) {
    const benchmark = await api('GET', `/v1/benchmarks/${created.id}`)
    const runs = (await api('GET', `/v1/benchmarks/${created.id}/runs`)).items as Run[]
    const line = runs.map((run) => `${run.method}:${run.status}`).join('  ')
    if (line !== last) {
      console.log(`[${new Date().toISOString().slice(11, 19)}] ${benchmark.status.padEnd(9)} ${line}`)
      last = line
    }
    if (['succeeded', 'failed', 'cancelled'].includes(benchmark.status)) {
      printResults(runs)
      if (benchmark.status !== 'succeeded') process.exitCode = 1
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
} finally {
  await server.close()
  await platform.close()
}

interface Run { id: string; method: string; status: string; config: { hyperparameters: Record<string, unknown> }; summary: Record<string, number> | null; error: string | null }

function printResults(runs: Run[]): void {
  const percent = (value: number | undefined) => (value === undefined ? '' : `${(value * 100).toFixed(2)}%`)
  const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '' : value.toFixed(digits))
  console.log()
  console.log(formatTable(
    ['method', 'config', 'status', 'accuracy', 'macro-F1', 'train s', 'p50 ms', 'p95 ms', 'peak RSS MB', 'trainable params'],
    runs.map((run) => {
      const s = run.summary ?? {}
      return [
        run.method,
        JSON.stringify(run.config.hyperparameters),
        run.status,
        percent(s.accuracy),
        percent(s.macroF1),
        fixed(s.trainSeconds),
        fixed(s.latencyP50Ms, 2),
        fixed(s.latencyP95Ms, 2),
        s.peakRssBytes ? fixed(s.peakRssBytes / 2 ** 20, 0) : '',
        s.trainableParameters ? String(s.trainableParameters) : '',
      ]
    }),
  ))
  for (const run of runs.filter((r) => r.error)) console.log(`${run.id} (${run.method}) ${run.status}: ${run.error}`)
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a demo reading JSON it prints; the typed client comes with the CLI
async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  })
  const payload = (await response.json()) as { detail?: string }
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${payload.detail ?? JSON.stringify(payload)}`)
  return payload
}
