import { formatBytes } from '../format'
import { html, type SafeHtml } from '../html/html'
import { section, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

/** Facts that differ per run by nature, not per machine: left out when grouping runs by where they ran. */
const PER_RUN_FACTS = new Set(['awsBatchJobId'])

/**
 * Where the runs executed, from each run's recorded `environment` (host, backend,
 * versions, code version): runs that ran in the same environment are listed once.
 */
export function environmentSection(data: ReportData): ReportSection {
  const groups = new Map<string, { facts: [string, unknown][]; methods: Set<string>; runs: number }>()
  for (const run of data.runs) {
    if (!run.environment) continue
    const backend = run.environment.backend ?? run.summary?.backend
    const facts = Object.entries({ ...run.environment, ...(backend === undefined ? {} : { backend }) })
      .filter(([key]) => !PER_RUN_FACTS.has(key))
      .sort(([a], [b]) => a.localeCompare(b))
    const key = JSON.stringify(facts)
    const group = groups.get(key) ?? { facts, methods: new Set<string>(), runs: 0 }
    group.methods.add(run.method)
    group.runs += 1
    groups.set(key, group)
  }
  if (groups.size === 0) return section('environment', 'Environment', html`<p class="note">No run has started yet, so no environment was recorded.</p>`)
  return section('environment', 'Environment', ...[...groups.values()].map((group) => html`<h3>${group.runs} run${group.runs === 1 ? '' : 's'}: ${[...group.methods].join(', ')}</h3>
<dl class="facts">${group.facts.map(([key, value]) => html`<dt>${key}</dt><dd>${describeFact(key, value)}</dd>`)}</dl>`))
}

function describeFact(key: string, value: unknown): string | SafeHtml {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'number' && /bytes$/i.test(key)) return formatBytes(value)
  if (typeof value === 'string') return /version|hash/i.test(key) ? html`<code>${value}</code>` : value
  return typeof value === 'object' ? html`<code>${JSON.stringify(value)}</code>` : String(value)
}
