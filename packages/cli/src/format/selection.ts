import { dataSelectionStudy, formatSelectionSavingsTable, formatSelectionTable } from '@bankbench/core'
import type { Schemas } from '@bankbench/client'

/**
 * The data-selection tables of a benchmark's runs (`GET /v1/benchmarks/{id}/runs`): labels
 * to 95% of full-data accuracy per strategy beside random, what reaching it with fewer
 * labels saves in training time and cost (priced as the comparison prices each run), and
 * the answer to the 50% question. Null when the benchmark ran no data selection.
 */
export function formatSelection(runs: readonly Schemas['RunSummary'][], comparison?: Pick<Schemas['Comparison'], 'runs'>): string | null {
  const dollarsPerHour = new Map((comparison?.runs ?? []).map((row) => [row.runId, row.cost?.dollarsPerHour ?? null]))
  const study = dataSelectionStudy(runs.map((run) => ({
    method: run.method,
    status: run.status,
    seed: run.seed,
    hyperparameters: isRecord(run.config.hyperparameters) ? run.config.hyperparameters : {},
    summary: run.summary,
    dollarsPerHour: dollarsPerHour.get(run.id) ?? null,
  })))
  if (!study) return null
  const savings = formatSelectionSavingsTable(study)
  return `${formatSelectionTable(study)}\n\n${savings ? `${savings}\n\n` : ''}${study.answer.question} ${study.answer.answer}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
