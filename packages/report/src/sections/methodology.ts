import { resolveArms } from '@bankbench/core'
import { formatSeconds } from '../format'
import { html, type SafeHtml } from '../html/html'
import { section, table, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

/** What was measured and how: dataset and splits, protocol, seeds, and each method's grid. */
export function methodologySection(data: ReportData): ReportSection {
  const { dataset, runs } = data
  const { spec } = data.benchmark
  const protocol = spec.protocol
  const arms = resolveArms(spec)
  const baseModels = [...new Set(runs.map((run) => (run.summary as { baseModel?: unknown } | null)?.baseModel).filter((name): name is string => typeof name === 'string'))]
  const runsOfArm = (index: number) => runs.filter((run) => run.config.arm === index).length
  return section('methodology', 'Methodology',
    html`<dl class="facts">
<dt>Dataset</dt><dd>${dataset.name} (${dataset.source}, ${dataset.labels.length} intents, content hash <code>${dataset.contentHash.slice(0, 19)}</code>)</dd>
<dt>Splits</dt><dd>train ${dataset.splits.train.toLocaleString('en')} · validation ${dataset.splits.validation.toLocaleString('en')} · test ${dataset.splits.test.toLocaleString('en')} examples</dd>
<dt>Training data</dt><dd>${protocol.trainSubset ? `a seeded subset of ${protocol.trainSubset.toLocaleString('en')} training examples` : 'the whole training split'}</dd>
<dt>Base model</dt><dd>${baseModels.length > 0 ? html`${baseModels.map((name, index) => html`${index > 0 ? ', ' : ''}<code>${name}</code>`)} (as the runs recorded it, pinned to exact weights)` : spec.baseModel ? html`<code>${spec.baseModel}</code>` : 'none (baselines only)'}</dd>
<dt>Protocol</dt><dd>${protocol.epochs} epoch${protocol.epochs === 1 ? '' : 's'} per training run; seeds ${protocol.seeds.join(', ')}; at most ${formatSeconds(protocol.timeoutSeconds)} per run</dd>
<dt>Selection</dt><dd>each method's best configuration is chosen by validation accuracy, never by test accuracy; accuracy, macro-F1 and latency are measured on the test split</dd>
<dt>Runs</dt><dd>${runs.length} planned: every grid combination × every seed${spec.preset ? html` of the preset <code>${spec.preset}</code>` : ''}${spec.subsample ? `, then at most ${spec.subsample.maxRunsPerMethod} per method drawn with seed ${spec.subsample.seed}` : ''}</dd>
<dt>Test set</dt><dd>${protocol.testSet === 'official' ? 'the whole test split' : 'a fixed-seed sample of 500 test examples'}</dd>
</dl>`,
    html`<h3>Methods and grids</h3>`,
    table([
      { title: 'method', cell: (arm) => arm.method },
      { title: 'fixed configuration', cell: (arm) => describeValues(arm.config) },
      { title: 'grid', cell: (arm) => describeValues(arm.grid) },
      { title: 'runs', cell: (arm) => String(runsOfArm(arms.indexOf(arm))), numeric: true },
    ], arms),
  )
}

function describeValues(values: Record<string, unknown>): SafeHtml | string {
  const entries = Object.entries(values)
  if (entries.length === 0) return 'defaults'
  return html`${entries.map(([key, value], index) => html`${index > 0 ? ', ' : ''}<code>${key}=${JSON.stringify(value)}</code>`)}`
}
