import { jobKindOf, type ComparisonRow, type MemorySource, type MethodBestRow, type SeedStat } from '@bankbench/core'
import {
  formatBytes, formatCount, formatDollars, formatMilliseconds, formatPercent, formatRatio, formatSeconds, formatSeedStat, MISSING,
} from '../format'
import { html, type SafeHtml } from '../html/html'
import { section, table, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

const MEMORY_SOURCE: Record<MemorySource, string> = { gpu: 'GPU', tensor: 'tensors', rss: 'RSS' }

/** What a cell says for a figure the run's method does not produce, unlike `—`, a figure that applies but was not measured. */
const NOT_APPLICABLE = 'not applicable'

/** The cell, unless the row's summary lists the figure as not applicable to its method. */
function applicable(row: { notApplicable: readonly string[] }, figure: string, cell: SafeHtml | string): SafeHtml | string {
  return row.notApplicable.includes(figure) ? NOT_APPLICABLE : cell
}

/** Span F1 (micro, macro on a second line) for slot-filling runs; not applicable to intent classifiers. */
function entityCell(method: string, micro: string, macro: string): SafeHtml | string {
  return jobKindOf(method) === 'slots' ? html`${micro}<br><span class="sd">${macro}</span>` : NOT_APPLICABLE
}

/** Exact match and BLEU (second line) for generation runs; not applicable to classifiers and taggers. */
function generationCell(method: string, exactMatch: string, bleu: string): SafeHtml | string {
  return jobKindOf(method) === 'generate' ? html`${exactMatch}<br><span class="sd">BLEU ${bleu}</span>` : NOT_APPLICABLE
}

/** Peak memory with where it was measured on a second line (GPU, tensors, RSS). */
function memory(bytes: number | null, source: MemorySource | null): SafeHtml | string {
  return bytes == null ? formatBytes(null) : html`${formatBytes(bytes)}<br><span class="sd">${MEMORY_SOURCE[source ?? 'rss']}</span>`
}

/** GPU memory (n/a without a GPU) over peak tensor memory: extra figures, not comparable across methods. */
function extraMemory(gpu: number | null, tensors: number | null): SafeHtml {
  return html`${gpu == null ? 'n/a' : formatBytes(gpu)}<br><span class="sd">${formatBytes(tensors)}</span>`
}

/** The comparison matrix (every run) and each method's best configuration with mean ± std over seeds. */
export function resultsSection(data: ReportData): ReportSection {
  const { comparison } = data
  return section('results', 'Results',
    html`<h3>Each method at its best configuration</h3>
<p class="note">Mean ± sample standard deviation over seeds. Peak RSS is the process's peak resident memory, measured the same way for every run (what the memory criterion reads); GPU memory (n/a for runs without a GPU) and peak tensor memory (engine runs) are extra figures that do not compare across methods. “not applicable” marks a figure the method does not produce (intent accuracy for a slot tagger or a generator, entity F1 and generation figures for an intent classifier); — marks one that applies but was not measured. Costs: ${comparison.cost.pricing} pricing${comparison.cost.instanceType ? ` of ${comparison.cost.instanceType}` : ' of the machine each run ran on'}.</p>`,
    table<MethodBestRow>([
      { title: 'method', cell: (row) => row.method },
      { title: 'configuration', cell: (row) => html`<code>${row.configLabel}</code>` },
      { title: 'seeds', cell: (row) => String(row.seeds.length), numeric: true },
      { title: 'accuracy', cell: (row) => applicable(row, 'accuracy', seedStatCell(row.accuracy, (value) => formatPercent(value))), numeric: true },
      { title: 'macro-F1', cell: (row) => applicable(row, 'macroF1', seedStatCell(row.macroF1, (value) => formatPercent(value))), numeric: true },
      { title: 'entity F1 micro / macro', cell: (row) => entityCell(row.method, formatSeedStat(row.entityMicroF1, formatPercent), formatSeedStat(row.entityMacroF1, formatPercent)), numeric: true },
      { title: 'exact match / BLEU', cell: (row) => generationCell(row.method, formatSeedStat(row.exactMatch, formatPercent), formatSeedStat(row.bleu, (value) => value.toFixed(1))), numeric: true },
      { title: 'p50 latency', cell: (row) => applicable(row, 'latencyP50Ms', seedStatCell(row.latencyP50Ms, formatMilliseconds)), numeric: true },
      { title: 'train time', cell: (row) => seedStatCell(row.trainSeconds, formatSeconds), numeric: true },
      { title: 'peak RSS', cell: (row) => (row.peakMemoryBytes ? memory(row.peakMemoryBytes.mean, row.memorySource) : formatBytes(null)), numeric: true },
      { title: 'GPU / tensors', cell: (row) => extraMemory(row.peakGpuMemoryBytes?.mean ?? null, row.peakTensorBytes?.mean ?? null), numeric: true },
      { title: 'trainable', cell: (row) => applicable(row, 'trainableParameters', formatCount(row.trainableParameters)), numeric: true },
      { title: 'fewer params', cell: (row) => applicable(row, 'trainableParameters', formatRatio(row.parameterReduction)), numeric: true },
      { title: 'cost', cell: (row) => seedStatCell(row.costDollars, formatDollars), numeric: true },
    ], comparison.methods, { className: 'compact' }),
    html`<h3>Every run</h3>`,
    table<ComparisonRow>([
      { title: 'method', cell: (row) => row.method },
      { title: 'configuration', cell: (row) => html`<code>${row.configLabel}</code>` },
      { title: 'seed', cell: (row) => String(row.seed), numeric: true },
      { title: 'status', cell: (row) => html`<span class="status ${row.status}">${row.status}</span>` },
      { title: 'accuracy', cell: (row) => applicable(row, 'accuracy', formatPercent(row.accuracy)), numeric: true },
      { title: 'macro-F1', cell: (row) => applicable(row, 'macroF1', formatPercent(row.macroF1)), numeric: true },
      { title: 'entity F1 micro / macro', cell: (row) => entityCell(row.method, formatPercent(row.entityMicroF1), formatPercent(row.entityMacroF1)), numeric: true },
      { title: 'exact match / BLEU', cell: (row) => generationCell(row.method, formatPercent(row.exactMatch), row.bleu === null ? MISSING : row.bleu.toFixed(1)), numeric: true },
      { title: 'p50 / p95 latency', cell: (row) => applicable(row, 'latencyP50Ms', row.latencyP50Ms == null ? formatMilliseconds(null) : html`${formatMilliseconds(row.latencyP50Ms)}<br><span class="sd">${formatMilliseconds(row.latencyP95Ms)}</span>`), numeric: true },
      { title: 'train time', cell: (row) => formatSeconds(row.trainSeconds), numeric: true },
      { title: 'peak RSS', cell: (row) => memory(row.peakMemoryBytes, row.memorySource), numeric: true },
      { title: 'GPU / tensors', cell: (row) => extraMemory(row.peakGpuMemoryBytes, row.peakTensorBytes), numeric: true },
      { title: 'trainable', cell: (row) => applicable(row, 'trainableParameters', formatCount(row.trainableParameters)), numeric: true },
      { title: 'fewer params', cell: (row) => applicable(row, 'trainableParameters', formatRatio(row.parameterReduction)), numeric: true },
      { title: 'cost', cell: (row) => formatDollars(row.cost?.dollars), numeric: true },
    ], comparison.runs, { className: 'compact' }),
    failures(data),
  )
}

/** Mean over seeds, its standard deviation on a second line to keep the column narrow. */
function seedStatCell(stat: SeedStat | null, format: (value: number) => string): SafeHtml | string {
  if (!stat) return MISSING
  return stat.n > 1 ? html`${format(stat.mean)}<br><span class="sd">± ${format(stat.std)}</span>` : format(stat.mean)
}

function failures(data: ReportData): SafeHtml | null {
  const failed = data.runs.filter((run) => run.error)
  if (failed.length === 0) return null
  return html`<h3>Runs that did not finish</h3>
<ul>${failed.map((run) => html`<li><code>${run.id}</code> (${run.method}, ${run.status}): ${run.error}</li>`)}</ul>`
}
