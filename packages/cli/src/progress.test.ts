import { describe, expect, it } from 'vitest'
import type { Schemas } from '@bankbench/client'
import type { Output } from './output'
import { ProgressDisplay } from './progress'

const RUN = { benchmarkId: 'bm_1', jobId: null, attempt: 0, summary: null, error: null, startedAt: null, finishedAt: null, createdAt: '2026-11-25T10:15:00.000Z' }
const RUNS: Schemas['RunSummary'][] = [
  { ...RUN, id: 'r1', ordinal: 0, method: 'lora', seed: 42, status: 'queued', config: { hyperparameters: { r: 8 } } },
  { ...RUN, id: 'r2', ordinal: 1, method: 'majority', seed: 42, status: 'queued', config: { hyperparameters: {} } },
]

function capture(isTTY: boolean): Output & { text: string } {
  const output = { text: '', isTTY, write: (text: string) => { output.text += text }, error: () => {} }
  return output
}

function play(display: ProgressDisplay) {
  display.addRuns(RUNS)
  display.onRun({ runId: 'r1', status: 'running', attempt: 1, error: null })
  display.onMetrics([{ runId: 'r1', name: 'train_loss', step: 10, epoch: 0, value: 2.5 }])
  display.onRun({ runId: 'r1', status: 'succeeded', attempt: 1, error: null })
  display.onProgress({ total: 2, finished: 1, counts: { succeeded: 1, queued: 1 }, eta: null })
  display.onRun({ runId: 'r2', status: 'failed', attempt: 1, error: 'out of memory' })
  display.finish()
}

describe('ProgressDisplay', () => {
  it('prints one plain line per change when the output is not a terminal', () => {
    const output = capture(false)
    play(new ProgressDisplay(output))
    expect(output.text).toBe([
      '▸ lora r=8 seed 42: running',
      '✓ lora r=8 seed 42: succeeded',
      '1/2 runs finished (1 succeeded, 1 queued)',
      '✗ majority default seed 42: failed (out of memory)',
      '',
    ].join('\n'))
  })

  it('redraws a progress bar and the running runs in place on a terminal', () => {
    const output = capture(true)
    play(new ProgressDisplay(output))
    expect(output.text).toContain('  ▸ lora r=8 seed 42  epoch 0 · step 10 · loss 2.500\n')
    expect(output.text).toContain('[████████████░░░░░░░░░░░░] 1/2 runs finished')
    // Each redraw moves up over the block it drew before and clears it.
    expect(output.text).toContain('\x1b[2F\x1b[J')
    expect(output.text.endsWith('1/2 runs finished (1 succeeded, 1 queued)\n')).toBe(true)
  })
})
