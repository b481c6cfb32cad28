import type { Schemas } from '@bankbench/client'
import { configLabel } from '@bankbench/core'
import type { Output } from './output'

type Status = Schemas['Status']

const BAR_WIDTH = 24
const SYMBOL: Record<Status, string> = { queued: '·', running: '▸', succeeded: '✓', failed: '✗', cancelled: '✗' }

interface RunState {
  label: string
  status: Status
  attempt: number
  epoch: number | null
  step: number | null
  loss: number | null
  validationAccuracy: number | null
}

export interface RunEvent { runId: string; status: Status; attempt: number; error: string | null }
export interface MetricEvent { runId: string; name: string; step: number | null; epoch: number | null; value: number }

/**
 * Shows a benchmark's progress as it happens. On a terminal: finished runs scroll
 * up as lines while a live block at the bottom (a progress bar and one line per
 * running run with its epoch, step and loss) is redrawn in place. Elsewhere (a
 * pipe, CI logs): one line per change, nothing redrawn.
 */
export class ProgressDisplay {
  private readonly runs = new Map<string, RunState>()
  private progress: Schemas['BenchmarkProgress'] | null = null
  private liveLines = 0

  constructor(private readonly output: Output) {}

  addRuns(runs: readonly Schemas['RunSummary'][]): void {
    for (const run of runs) {
      this.runs.set(run.id, { label: `${run.method} ${configLabel(run.config)} seed ${run.seed}`, status: run.status, attempt: 0, epoch: null, step: null, loss: null, validationAccuracy: null })
    }
  }

  onRun(event: RunEvent): void {
    const run = this.runs.get(event.runId)
    if (!run || (run.status === event.status && run.attempt === event.attempt)) return
    const retried = event.attempt > 1 && event.status === 'running' ? ` (attempt ${event.attempt})` : ''
    run.status = event.status
    run.attempt = event.attempt
    if (event.status === 'running' && this.output.isTTY) return this.redraw()
    if (event.status === 'queued' && run.attempt === 0) return
    this.log(`${SYMBOL[event.status]} ${run.label}: ${event.status}${retried}${event.error ? ` (${event.error})` : ''}`)
  }

  onMetrics(points: readonly MetricEvent[]): void {
    for (const point of points) {
      const run = this.runs.get(point.runId)
      if (!run) continue
      if (point.epoch !== null) run.epoch = point.epoch
      if (point.name === 'train_loss') {
        run.step = point.step
        run.loss = point.value
      }
      if (point.name === 'validation_accuracy') run.validationAccuracy = point.value
    }
    if (this.output.isTTY) this.redraw()
  }

  onProgress(progress: Schemas['BenchmarkProgress']): void {
    this.progress = progress
    if (this.output.isTTY) this.redraw()
    else this.log(this.progressLine())
  }

  /** Leaves the final state on screen. */
  finish(): void {
    if (this.output.isTTY) this.redraw()
    this.liveLines = 0
  }

  private log(line: string): void {
    this.output.write(`${this.clearLive()}${line}\n${this.output.isTTY ? this.liveBlock() : ''}`)
  }

  private redraw(): void {
    this.output.write(`${this.clearLive()}${this.liveBlock()}`)
  }

  /** Moves the cursor to the start of the live block and clears it. */
  private clearLive(): string {
    const lines = this.liveLines
    this.liveLines = 0
    return lines > 0 ? `\x1b[${lines}F\x1b[J` : ''
  }

  private liveBlock(): string {
    const lines = [this.progressLine(), ...[...this.runs.values()].filter((run) => run.status === 'running').map((run) => `  ${SYMBOL.running} ${run.label}${describeTraining(run)}`)]
    this.liveLines = lines.length
    return lines.map((line) => `${line}\n`).join('')
  }

  private progressLine(): string {
    const total = this.progress?.total ?? this.runs.size
    const finished = this.progress?.finished ?? 0
    const counts = this.progress?.counts ?? {}
    const filled = total === 0 ? 0 : Math.round((finished / total) * BAR_WIDTH)
    const bar = this.output.isTTY ? `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ` : ''
    const tally = (['succeeded', 'failed', 'running', 'queued'] as const).filter((status) => counts[status]).map((status) => `${counts[status]} ${status}`).join(', ')
    const eta = this.progress?.eta ? `, about ${formatDuration(this.progress.eta.secondsRemaining)} left` : ''
    return `${bar}${finished}/${total} runs finished${tally ? ` (${tally})` : ''}${eta}`
  }
}

function describeTraining(run: RunState): string {
  const parts = [
    run.epoch !== null ? `epoch ${run.epoch}` : null,
    run.step !== null ? `step ${run.step}` : null,
    run.loss !== null ? `loss ${run.loss.toFixed(3)}` : null,
    run.validationAccuracy !== null ? `validation ${(run.validationAccuracy * 100).toFixed(1)}%` : null,
  ].filter(Boolean)
  return parts.length > 0 ? `  ${parts.join(' · ')}` : ''
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}
