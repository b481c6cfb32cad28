import { dataSelectionStudy, type DataSelectionStudy, type SelectionRunSummary, type SelectionStrategyRow } from '@bankbench/core'
import { renderChart } from '../charts/render-chart'
import { learningCurveSpec, methodColors, type MeanPoint } from '../charts/specs'
import { html } from '../html/html'
import { figure, section, table, type Column, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

/**
 * How many labels a bank needs (the `select` job's runs): each strategy's learning curve
 * with its spread over seeds, the labels to reach 95% of the same learner's full-data
 * accuracy and the study's 88%, what those labels save against labelling everything, and
 * the answer to "can data selection cut the training data by 50%?". Absent when the
 * benchmark ran no data selection.
 */
export async function dataSelectionSection(data: ReportData): Promise<ReportSection | null> {
  // Savings are priced as the comparison prices each run (its machine, on-demand or spot).
  const dollarsPerHour = new Map(data.comparison.runs.map((row) => [row.runId, row.cost?.dollarsPerHour ?? null]))
  const study = dataSelectionStudy(data.runs.map((run) => ({
    method: run.method, status: run.status, seed: run.seed, hyperparameters: run.config.hyperparameters, summary: run.summary, dollarsPerHour: dollarsPerHour.get(run.id) ?? null,
  })))
  if (!study) return null
  // Strategies get their own palette: they are all one method (data-selection) to the rest of the report.
  const colors = methodColors(study.strategies.map((row) => row.label))
  const target = 0.95 * study.fullDataAccuracy.mean
  const points: MeanPoint[] = study.strategies.flatMap((row) => row.curve.map((point) => ({
    method: row.label, x: point.labels, mean: point.accuracy.mean, low: point.accuracy.mean - point.accuracy.std, high: point.accuracy.mean + point.accuracy.std,
  })))
  const chart = await renderChart(learningCurveSpec(points, colors, target))
  return section('data-selection', 'Data selection: how many labels?',
    html`<p><strong>${study.answer.question}</strong> ${study.answer.answer}</p>`,
    figure(chart, `Test accuracy against labelled rows, mean over seeds with ± one standard deviation; the dashed line is 95% of full-data accuracy (${percent(target)}). Learner: ${study.features}.`),
    labelsTable(study),
    html`<p class="note">Labels to a target are those of the first round whose test accuracy reached it; rounds are spaced on a log scale, so the true figure lies between that round and the one before. "Labels saved" is the share of the ${study.poolSize} pool rows a bank would not have to label to get there. Area under the curve is the mean accuracy over the labels the curve spans.${baldNote(data)}</p>`,
    savingsTable(study),
    savingsNote(study))
}

/** What BALD's Monte-Carlo samples were, as the runs recorded it: the encoder's dropout through the engine, or dropout on the head's input. */
function baldNote(data: ReportData): string {
  const sources = new Set(data.runs.map((run) => run.summary as SelectionRunSummary | null).filter((summary) => summary?.strategy === 'bald' && summary.mcDropout).map((summary) => summary!.mcDropout!))
  return sources.size === 0 ? '' : ` BALD's dropout samples: ${[...sources].join('; ')}.`
}

/** Per strategy: what reaching the target with fewer labels saves in training time and cost, for the fast learner and, where it ran, the PEFT learner (the deployed method). */
function savingsTable(study: DataSelectionStudy) {
  const rows = study.strategies.filter((row) => row.savings || row.peft)
  if (rows.length === 0) return null
  const method = rows.find((row) => row.peft)?.peft?.method ?? null
  const dash = '–'
  const columns: Column<SelectionStrategyRow>[] = [
    { title: 'strategy', cell: (row) => (row.label === 'random' ? 'random (control)' : row.label) },
    { title: 'labels at 95%', cell: (row) => (row.savings ? String(Math.round(row.savings.labels.mean)) : `> ${study.budget}`), numeric: true },
    { title: 'fast learner: fit s at 95% / all', cell: (row) => (row.savings ? `${row.savings.fitSecondsAtTarget.mean.toFixed(1)} / ${row.savings.fitSecondsFull.mean.toFixed(1)}` : dash), numeric: true },
    { title: 'selection loop s to 95%', cell: (row) => (row.savings ? row.savings.loopSecondsToTarget.mean.toFixed(1) : dash), numeric: true },
    { title: 'fast learner: net $ saved', cell: (row) => (row.savings ? dollars(row.savings.fastNetDollarsSaved.mean) : dash), numeric: true },
  ]
  if (method) {
    columns.push(
      { title: `${method} accuracy at 95% / all`, cell: (row) => (row.peft?.atTarget ? `${percent(row.peft.atTarget.accuracy.mean)} / ${percent(row.peft.full.accuracy.mean)}` : dash), numeric: true },
      { title: `${method} train s at 95% / all`, cell: (row) => (row.peft?.atTarget ? `${row.peft.atTarget.trainSeconds.mean.toFixed(0)} / ${row.peft.full.trainSeconds.mean.toFixed(0)}` : dash), numeric: true },
      { title: 'training time saved', cell: (row) => (row.savings?.peft ? percent(row.savings.peft.share.mean) : dash), numeric: true },
      { title: '$ saved (net of the loop)', cell: (row) => (row.savings?.peft ? `${dollars(row.savings.peft.dollarsSaved.mean)} (${dollars(row.savings.peft.netDollarsSaved.mean)})` : dash), numeric: true },
      { title: `${method} on half the pool (of all)`, cell: (row) => (row.peft?.atHalf ? `${percent(row.peft.atHalf.accuracy.mean)} (${percent(row.peft.atHalf.accuracy.mean / row.peft.full.accuracy.mean)})` : dash), numeric: true },
    )
  }
  return html`<h3>The cost of fewer labels</h3>${table<SelectionStrategyRow>(columns, rows)}`
}

function savingsNote(study: DataSelectionStudy) {
  const peft = study.strategies.find((row) => row.peft)?.peft
  const skipped = [...new Set(study.strategies.flatMap((row) => row.peft?.skipped ?? []))]
  const price = `$${study.pricing.dollarsPerHour.toFixed(3)}/h${study.pricing.source === 'default' ? ' (the local machine\'s on-demand price: the runs carried no cost)' : ' (the comparison\'s cost model for the runs\' machines)'}`
  return html`<p class="note">Savings are over the seeds that reached 95% of full-data accuracy, priced at ${price}. The fast learner's "net" is one fit on every pool row minus the selection loop that found the labels (each round's selection and refit up to the target): negative where choosing cost more than fitting everything.${peft
    ? ` The PEFT learner fine-tunes ${peft.method} (${peft.epochs} epochs, the engine's defaults, best epoch on validation) on the first rows the strategy labelled, where its fast learner reached the target and at half the pool, against the same fine-tune on every pool row; fewer rows at the same epochs also mean fewer steps, which is the saving. Its "net" subtracts the selection loop.${skipped.length ? ` Not fine-tuned: ${skipped.join('; ')}.` : ''}`
    : ' The PEFT learner did not run (set peft_budgets on the data-selection arm): only the fast learner\'s times are measured.'}</p>`
}

const dollars = (value: number) => `${value < 0 ? '−' : ''}$${Math.abs(value).toFixed(4)}`

function labelsTable(study: DataSelectionStudy) {
  const labels = (target: SelectionStrategyRow['labelsTo95'], seeds: number) =>
    target.stat ? `${Math.round(target.stat.mean)} ± ${Math.round(target.stat.std)}${target.above !== null ? ` (> ${target.above})` : ''}${target.reached < seeds ? ` (${target.reached}/${seeds} seeds)` : ''}` : `> ${study.budget}`
  return table<SelectionStrategyRow>([
    { title: 'strategy', cell: (row) => (row.label === 'random' ? 'random (control)' : row.label) },
    { title: 'seeds', cell: (row) => String(row.seeds.length), numeric: true },
    { title: 'labels to 95% of full (> the round before)', cell: (row) => labels(row.labelsTo95, row.seeds.length), numeric: true },
    { title: 'labels saved', cell: (row) => (row.labelsTo95.stat && row.labelsTo95.reached === row.seeds.length ? percent(1 - row.labelsTo95.stat.mean / study.poolSize) : '–'), numeric: true },
    { title: 'labels to 88%', cell: (row) => labels(row.labelsTo88, row.seeds.length), numeric: true },
    { title: 'area under curve', cell: (row) => `${percent(row.areaUnderCurve.mean)} ± ${percent(row.areaUnderCurve.std)}`, numeric: true },
    { title: `accuracy at ${study.budget}`, cell: (row) => `${percent(row.finalAccuracy.mean)} ± ${percent(row.finalAccuracy.std)}`, numeric: true },
    { title: 'selection s/run', cell: (row) => row.selectionSeconds.mean.toFixed(1), numeric: true },
  ], study.strategies)
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`
