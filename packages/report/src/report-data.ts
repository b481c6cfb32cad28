import {
  buildComparison, constraintsOf, getBenchmark, getDataset, listRunMetrics, listRunsOfBenchmark, loadPriceTable, recommend,
  type BenchmarkRow, type Comparison, type CostOptions, type Database, type DatasetRow, type Recommendation, type RunRow,
} from '@bankbench/core'

/** One point of a run's training-loss curve. */
export interface LossPoint {
  step: number
  value: number
}

/** Everything a report shows, gathered once (`loadReportData`) and rendered without further queries. */
export interface ReportData {
  benchmark: BenchmarkRow
  dataset: DatasetRow
  /** In plan order. */
  runs: RunRow[]
  /** Each run's `train_loss` points by run id (runs without any are absent). */
  lossCurves: Record<string, LossPoint[]>
  comparison: Comparison
  recommendation: Recommendation
  generatedAt: Date
}

/**
 * Gathers a benchmark's report: its dataset, runs, every run's training-loss curve,
 * and the analysis (comparison matrix and recommendations against the benchmark's
 * success criteria, priced with the same table as the comparison API). Throws
 * the core `not-found` problem for an unknown id.
 */
export async function loadReportData(db: Database, benchmarkId: string, costOptions: CostOptions = {}): Promise<ReportData> {
  const benchmark = await getBenchmark(db, benchmarkId)
  const [dataset, runs] = await Promise.all([getDataset(db, benchmark.datasetId), listRunsOfBenchmark(db, benchmark.id)])
  const lossCurves: Record<string, LossPoint[]> = {}
  await Promise.all(runs.map(async (run) => {
    const points = (await listRunMetrics(db, run.id))
      .filter((point) => point.name === 'train_loss' && point.step !== null)
      .map((point) => ({ step: point.step!, value: point.value }))
    if (points.length > 0) lossCurves[run.id] = points
  }))
  const comparison = buildComparison(benchmark, runs, costOptions, loadPriceTable())
  const recommendation = recommend(comparison, constraintsOf(benchmark.spec))
  return { benchmark, dataset, runs, lossCurves, comparison, recommendation, generatedAt: new Date() }
}
