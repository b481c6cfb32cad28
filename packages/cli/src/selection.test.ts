import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from './main'
import type { Output } from './output'

/** A small data-selection benchmark on Banking77 through a real embedded stack: the CLI's labels-to-target table. */
const home = mkdtempSync(join(tmpdir(), 'bankbench-cli-selection-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('bankbench run on a data-selection benchmark', () => {
  it('prints labels to 95% of full-data accuracy per strategy beside random, and the 50% answer', async () => {
    const spec = join(home, 'selection.yaml')
    // Few L-BFGS iterations and a small budget: seconds per run, and the table's shape is what is checked.
    writeFileSync(spec, [
      'name: cli selection',
      'arms:',
      '  - method: data-selection',
      '    config: { budget: 300, rounds: 3, max_iterations: 5 }',
      '    grid: { strategy: [random, margin] }',
      'protocol: { seeds: [1] }',
    ].join('\n'))
    const output: Output & { text: string; errors: string } = { text: '', errors: '', isTTY: false, write: (text) => { output.text += text }, error: (text) => { output.errors += text } }
    const code = await main(['run', '--file', spec, '--out', join(home, 'reports')], output, { BANKBENCH_HOME: join(home, 'stack') })
    expect(output.errors).toBe('')
    expect(code).toBe(0)
    expect(output.text).toMatch(/Data selection on 9503 pool rows \(tfidf .*\); full-data accuracy \d+\.\d%, target 95% of it = \d+\.\d%/)
    expect(output.text).toMatch(/^strategy\s+labels to 95% of full \(mean ± std\)\s+after round\s+seeds\s+vs random/m)
    expect(output.text).toMatch(/^random \(control\)\s+(> 300\s+-|\d+ ± 0\s+(-|> \d+))\s+[01]\/1\s+100%/m)
    expect(output.text).toMatch(/^margin\s+/m)
    expect(output.text).toContain('Can data selection cut the training data by 50%?')
  }, 600_000)
})
