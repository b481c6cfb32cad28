import { dataSelectionStudy, formatSelectionTable } from '@bankbench/core'
import type { Schemas } from '@bankbench/client'

/**
 * The data-selection table of a benchmark's runs (`GET /v1/benchmarks/{id}/runs`): labels
 * to 95% of full-data accuracy per strategy beside random, and the answer to the 50%
 * question. Null when the benchmark ran no data selection.
 */
export function formatSelection(runs: readonly Schemas['RunSummary'][]): string | null {
  const study = dataSelectionStudy(runs.map((run) => ({
    method: run.method,
    status: run.status,
    seed: run.seed,
    hyperparameters: isRecord(run.config.hyperparameters) ? run.config.hyperparameters : {},
    summary: run.summary,
  })))
  return study && `${formatSelectionTable(study)}\n\n${study.answer.question} ${study.answer.answer}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
