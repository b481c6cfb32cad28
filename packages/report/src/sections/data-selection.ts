import { dataSelectionStudy, type DataSelectionStudy, type SelectionStrategyRow } from '@bankbench/core'
import { renderChart } from '../charts/render-chart'
import { learningCurveSpec, methodColors, type MeanPoint } from '../charts/specs'
import { html } from '../html/html'
import { figure, section, table, type ReportSection } from '../html/table'
import type { ReportData } from '../report-data'

/**
 * How many labels a bank needs (the `select` job's runs): each strategy's learning curve
 * with its spread over seeds, the labels to reach 95% of the same learner's full-data
 * accuracy and the study's 88%, what those labels save against labelling everything, and
 * the answer to "can data selection cut the training data by 50%?". Absent when the
 * benchmark ran no data selection.
 */
export async function dataSelectionSection(data: ReportData): Promise<ReportSection | null> {
  const study = dataSelectionStudy(data.runs.map((run) => ({ method: run.method, status: run.status, seed: run.seed, hyperparameters: run.config.hyperparameters, summary: run.summary })))
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
    html`<p class="note">Labels to a target are those of the first round whose test accuracy reached it; rounds are spaced on a log scale, so the true figure lies between that round and the one before. "Labels saved" is the share of the ${study.poolSize} pool rows a bank would not have to label to get there. Area under the curve is the mean accuracy over the labels the curve spans.</p>`)
}

function labelsTable(study: DataSelectionStudy) {
  const labels = (target: SelectionStrategyRow['labelsTo95'], seeds: number) =>
    target.stat ? `${Math.round(target.stat.mean)} ± ${Math.round(target.stat.std)}${target.reached < seeds ? ` (${target.reached}/${seeds} seeds)` : ''}` : `> ${study.budget}`
  return table<SelectionStrategyRow>([
    { title: 'strategy', cell: (row) => (row.label === 'random' ? 'random (control)' : row.label) },
    { title: 'seeds', cell: (row) => String(row.seeds.length), numeric: true },
    { title: 'labels to 95% of full', cell: (row) => labels(row.labelsTo95, row.seeds.length), numeric: true },
    { title: 'labels saved', cell: (row) => (row.labelsTo95.stat && row.labelsTo95.reached === row.seeds.length ? percent(1 - row.labelsTo95.stat.mean / study.poolSize) : '–'), numeric: true },
    { title: 'labels to 88%', cell: (row) => labels(row.labelsTo88, row.seeds.length), numeric: true },
    { title: 'area under curve', cell: (row) => `${percent(row.areaUnderCurve.mean)} ± ${percent(row.areaUnderCurve.std)}`, numeric: true },
    { title: `accuracy at ${study.budget}`, cell: (row) => `${percent(row.finalAccuracy.mean)} ± ${percent(row.finalAccuracy.std)}`, numeric: true },
    { title: 'selection s/run', cell: (row) => row.selectionSeconds.mean.toFixed(1), numeric: true },
  ], study.strategies)
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`
