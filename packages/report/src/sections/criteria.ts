import type { ConstraintCheck, ConstraintName, Constraints, ConstraintVerdict } from '@bankbench/core'
import { formatBytes, formatMilliseconds, formatPercent, formatRatio, formatSeconds } from '../format'
import { html, type SafeHtml } from '../html/html'
import { section, table, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

/** How each success criterion reads: its column title and the unit of its figures. */
export const CRITERIA: Record<ConstraintName, { title: (threshold: number) => string; format: (value: number) => string }> = {
  minAccuracy: { title: (threshold) => `accuracy ≥ ${formatPercent(threshold, 0)}`, format: (value) => formatPercent(value) },
  maxLatencyMs: { title: (threshold) => `latency ≤ ${formatMilliseconds(threshold)}`, format: formatMilliseconds },
  maxGpuMemoryBytes: { title: (threshold) => `GPU memory ≤ ${formatBytes(threshold)}`, format: formatBytes },
  minParameterReduction: { title: (threshold) => `≥ ${formatRatio(threshold)} fewer params`, format: formatRatio },
  maxTrainingSeconds: { title: (threshold) => `training ≤ ${formatSeconds(threshold)}`, format: formatSeconds },
}

/** Each method's best configuration against every success criterion, as judged by the analysis. */
export function criteriaSection(data: ReportData): ReportSection {
  const { constraints, methods } = data.recommendation
  const names = Object.keys(constraints) as ConstraintName[]
  return section('criteria', 'Success criteria',
    html`<p class="note">✓ met, ✗ missed, — not measured (an unmeasured criterion never counts as met), n/a not applicable to the method (neither met nor missed, e.g. the parameter reduction of a baseline that trains no transformer parameters). Memory is the process's peak RSS for every run. Figures are means over seeds of each method's best configuration.</p>`,
    table<ConstraintVerdict>([
      { title: 'method', cell: (verdict) => verdict.method },
      { title: 'configuration', cell: (verdict) => html`<code>${verdict.configLabel}</code>` },
      ...names.map((name) => ({ title: criterionTitle(constraints, name), cell: (verdict: ConstraintVerdict) => checkCell(verdict.checks.find((check) => check.constraint === name)), numeric: true })),
      { title: 'all met', cell: (verdict) => mark(verdict.meetsAll) },
    ], methods, { className: 'criteria' }),
  )
}

function criterionTitle(constraints: Constraints, name: ConstraintName): string {
  return CRITERIA[name].title(constraints[name])
}

function checkCell(check: ConstraintCheck | undefined): SafeHtml {
  if (!check) return mark(null)
  if (check.state === 'not-applicable') return html`<span title="${check.detail}" class="na">n/a</span>`
  const figure = check.measured == null ? '' : CRITERIA[check.constraint].format(check.measured)
  return html`<span title="${check.detail}">${figure} ${mark(check.passed)}</span>`
}

function mark(passed: boolean | null): SafeHtml {
  if (passed === null) return html`<span class="unknown">—</span>`
  return passed ? html`<span class="pass">✓</span>` : html`<span class="fail">✗</span>`
}
