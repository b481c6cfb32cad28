/**
 * Entity extraction (slot filling on NLU++ banking, the `slots` runs): span-level micro
 * and macro F1 per run and F1 per slot type, the trained taggers beside the rules +
 * gazetteer baseline, and the tagger arms' multi-label intent micro-F1. Only in reports of
 * benchmarks that ran slot filling.
 */
import type { RunRow, SlotRunSummary } from '@bankbench/core'
import { formatCount, formatMilliseconds, formatPercent, formatSeconds, MISSING } from '../format'
import { html } from '../html/html'
import { section, table, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

type SlotRun = { run: RunRow; summary: SlotRunSummary }

/** A slot-filling run's summary says so (`task`); the other kinds' summaries have no such field. */
function isSlotRunSummary(summary: unknown): summary is SlotRunSummary {
  return typeof summary === 'object' && summary !== null && (summary as { task?: unknown }).task === 'slot-filling'
}

export function entitiesSection(data: ReportData): ReportSection | null {
  const runs = data.runs.flatMap((run): SlotRun[] => (run.status === 'succeeded' && isSlotRunSummary(run.summary) ? [{ run, summary: run.summary }] : []))
  if (runs.length === 0) return null
  const folds = runs[0]!.summary.folds
  const types = [...new Set(runs.flatMap(({ summary }) => summary.perSlot.map((slot) => slot.type)))].sort()
  const label = ({ run }: SlotRun) => `${run.method} (seed ${run.seed})`
  return section('entities', 'Entity extraction',
    html`<p class="note">Slot filling on NLU++ banking: trained on folds ${folds.train.join(', ')}, best epoch by validation span F1 on fold ${folds.validation.join(', ')}, scored on the held-out folds ${folds.test.join(', ')}, which the shipped base model never saw in pretraining. A predicted slot counts only when its type and both character boundaries match (span-level F1, the seqeval convention); micro F1 pools every slot, macro F1 averages over slot types. Beside each tagger, a classifier fine-tuned with the same method on NLU++'s multi-label intents (a sigmoid per intent, intents above 0.5) is scored by micro F1 on the same folds; single-label intent accuracy does not apply to these runs.</p>`,
    table<SlotRun>([
      { title: 'run', cell: label },
      { title: 'micro F1', cell: ({ summary }) => formatPercent(summary.entityMicroF1), numeric: true },
      { title: 'macro F1', cell: ({ summary }) => formatPercent(summary.entityMacroF1), numeric: true },
      { title: 'precision / recall', cell: ({ summary }) => `${formatPercent(summary.entityMicroPrecision)} / ${formatPercent(summary.entityMicroRecall)}`, numeric: true },
      { title: 'intent micro F1 (multi-label)', cell: ({ summary }) => (summary.intentMicroF1 === undefined ? 'not applicable' : formatPercent(summary.intentMicroF1)), numeric: true },
      { title: 'p50 / p95 latency', cell: ({ summary }) => `${formatMilliseconds(summary.latencyP50Ms)} / ${formatMilliseconds(summary.latencyP95Ms)}`, numeric: true },
      { title: 'queries/s', cell: ({ summary }) => summary.throughputPerSecond.toFixed(0), numeric: true },
      { title: 'train time', cell: ({ summary }) => formatSeconds(summary.trainSeconds), numeric: true },
      { title: 'trainable', cell: ({ summary }) => (summary.trainableParameters === null ? 'not applicable' : formatCount(summary.trainableParameters)), numeric: true },
    ], runs, { className: 'compact' }),
    html`<h3>F1 per slot type</h3>`,
    table<string>([
      { title: 'slot', cell: (type) => type },
      { title: 'test slots', cell: (type) => String(runs[0]!.summary.perSlot.find((slot) => slot.type === type)?.support ?? 0), numeric: true },
      ...runs.map((entry) => ({
        title: label(entry),
        cell: (type: string) => {
          const slot = entry.summary.perSlot.find((scores) => scores.type === type)
          // A type missing from a run's scores was neither in the test gold nor predicted by it.
          return slot ? formatPercent(slot.f1) : MISSING
        },
        numeric: true,
      })),
    ], types, { className: 'compact' }),
  )
}
