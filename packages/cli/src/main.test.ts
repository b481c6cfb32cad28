import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findChromium } from '@bankbench/report'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from './main'
import type { Output } from './output'

/** Every command against a real embedded stack in a temporary home: the two floor baselines finish in seconds. */
const home = mkdtempSync(join(tmpdir(), 'bankbench-cli-'))
const env = { BANKBENCH_HOME: join(home, 'stack') }
afterAll(() => rmSync(home, { recursive: true, force: true }))

function capture(): Output & { text: string; errors: string } {
  const output = { text: '', errors: '', isTTY: false, write: (text: string) => { output.text += text }, error: (text: string) => { output.errors += text } }
  return output
}

describe('bankbench run, status and report on an embedded stack', () => {
  let benchmarkId = ''

  it('runs a benchmark from a YAML file to the end, prints the matrix and writes the report', async () => {
    const spec = join(home, 'floors.yaml')
    writeFileSync(spec, 'name: cli floors\narms:\n  - method: random\n  - method: majority\n')
    const output = capture()
    const code = await main(['run', '--file', spec, '--out', join(home, 'reports')], output, env)
    expect(output.errors).toBe('')
    expect(code).toBe(0)
    benchmarkId = /submitted (bm_\w+): cli floors \(2 runs\)/.exec(output.text)![1]!
    expect(output.text).toMatch(/✓ majority default seed 42: succeeded/)
    expect(output.text).toContain('cli floors: succeeded')
    // The matrix: a header and one row per run, with the majority floor's 40/3,080 test accuracy.
    expect(output.text).toMatch(/method\s+config\s+seed\s+status\s+accuracy/)
    expect(output.text).toMatch(/majority\s+default\s+42\s+succeeded\s+1\.30%/)
    expect(output.text).toContain('No method meets every success criterion')

    const html = join(home, 'reports', `${benchmarkId}.html`)
    expect(output.text).toContain(`report: ${html}`)
    expect(readFileSync(html, 'utf8')).toContain('<h1>cli floors</h1>')
    const pdf = join(home, 'reports', `${benchmarkId}.pdf`)
    // Without Chromium the server answers 503 for the PDF and the CLI says why instead.
    if (findChromium()) expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-')
    else expect(output.text).toMatch(/no PDF: .*Chromium/)
  })

  it('shows the status of that benchmark and writes its report again', async () => {
    const status = capture()
    expect(await main(['status', benchmarkId], status, env)).toBe(0)
    expect(status.text).toContain(`${benchmarkId}: cli floors\nstatus succeeded, 2/2 runs finished`)
    // Finished: the answer as `run` printed it, without rerunning anything.
    expect(status.text).toMatch(/method\s+config\s+seed\s+status\s+accuracy/)
    expect(status.text).toContain('Best configuration of each method')

    // The in-process server reads BANKBENCH_CHROMIUM from the process: pretend there is no Chromium.
    const previous = process.env.BANKBENCH_CHROMIUM
    process.env.BANKBENCH_CHROMIUM = '/nonexistent/chromium'
    try {
      const report = capture()
      const out = join(home, 'again')
      expect(await main(['report', benchmarkId, '--out', out], report, env)).toBe(0)
      expect(existsSync(join(out, `${benchmarkId}.html`))).toBe(true)
      expect(report.text).toMatch(/no PDF: PDF rendering needs Chromium/)
    } finally {
      if (previous === undefined) delete process.env.BANKBENCH_CHROMIUM
      else process.env.BANKBENCH_CHROMIUM = previous
    }
  })

  it('runs a preset of the server\'s list (GET /v1/presets), and names the presets there for one it does not have', async () => {
    const output = capture()
    expect(await main(['run', '--preset', 'floors', '--out', join(home, 'preset-reports')], output, env)).toBe(0)
    expect(output.text).toMatch(/^preset floors \(2 runs\): The two trivial floors/)
    expect(output.text).toMatch(/submitted bm_\w+: floors on banking77 \(2 runs\)/)
    const unknown = capture()
    expect(await main(['run', '--preset', 'nope'], unknown, env)).toBe(2)
    expect(unknown.errors).toMatch(/has no preset 'nope'; its presets \(GET \/v1\/presets\): demo, floors, methods, tuning, quick, seed-grid, /)
  })

  it('explains usage and API errors instead of throwing', async () => {
    const usage = capture()
    expect(await main(['run', '--preset', 'demo', '--file', 'x.json'], usage, env)).toBe(2)
    expect(usage.errors).toMatch(/give --preset or --file, not both[\s\S]*Usage:/)
    const missing = capture()
    expect(await main(['status', 'bm_missing'], missing, env)).toBe(1)
    expect(missing.errors).toBe("bankbench: Not found (404): benchmark 'bm_missing' does not exist\n")
  })
})
