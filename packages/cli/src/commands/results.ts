import type { CliClient } from '../client'
import { formatMethodsTable, formatRecommendation, formatRunsTable } from '../format/comparison'
import { formatSelection } from '../format/selection'
import { formatVectorStores } from '../format/vector-stores'
import type { Output } from '../output'

/**
 * A finished benchmark's answer, as `run` prints it at the end and `status` prints it
 * again later: the comparison matrix, the best configuration of each method, the
 * recommendation, and the study tables its runs call for (data selection's labels to
 * target beside random, the vector stores' table and best store).
 */
export async function printResults(client: CliClient, id: string, output: Output): Promise<void> {
  const params = { path: { id } }
  const { data: comparison } = await client.api.GET('/v1/benchmarks/{id}/comparison', { params })
  const { data: recommendation } = await client.api.GET('/v1/benchmarks/{id}/recommendations', { params })
  const runs = (await client.api.GET('/v1/benchmarks/{id}/runs', { params })).data.items
  output.write(`${formatRunsTable(comparison, runs)}\n\nBest configuration of each method (mean ± std over seeds):\n${formatMethodsTable(comparison)}\n\n${formatRecommendation(recommendation)}\n\n`)
  const selection = formatSelection(runs, comparison)
  if (selection) output.write(`${selection}\n\n`)
  const vectorStores = formatVectorStores(runs)
  if (vectorStores) output.write(`${vectorStores}\n\n`)
}
