import type { JobStatus } from '../jobs/job-queue'
import type { RunConfig, RunEnvironment, RunFigures } from '../contracts'
import { costOfRun, DEFAULT_GPU_INSTANCE, measured, PRICE_TABLE, servingCostPerMillionQueries, type PriceTable } from './cost'
import { notApplicableFigures } from './applicability'
import { seedStat } from './stats'
import type { Comparison, ComparisonRow, CostOptions, MemorySource, MethodBestRow } from './types'

/** What the analysis reads of a benchmark (a `BenchmarkRow` is one). */
export interface AnalysisBenchmark {
  id: string
  name: string
  status: JobStatus
}

/** What the analysis reads of a run (a `RunRow` is one): its hyperparameters, the figures of its summary, where it ran. */
export interface AnalysisRun {
  id: string
  ordinal: number
  method: string
  config: Pick<RunConfig, 'hyperparameters'>
  seed: number
  status: JobStatus
  summary: RunFigures | null
  environment?: Pick<RunEnvironment, 'awsBatchJobId'> | null
  startedAt: Date | null
  finishedAt: Date | null
}

/**
 * The comparison matrix of a benchmark: one row per run, and one row per method
 * for its best configuration. "Best" is chosen by mean validation accuracy over
 * seeds, never by test accuracy: the test split only reports.
 */
export function buildComparison(benchmark: AnalysisBenchmark, runs: readonly AnalysisRun[], options: CostOptions = {}, prices: PriceTable = PRICE_TABLE): Comparison {
  const pricing = options.pricing ?? 'on-demand'
  const fullTrainable = fullFineTuningTrainableParameters(runs)
  const rows = [...runs].sort((a, b) => a.ordinal - b.ordinal).map((run) => comparisonRow(run, fullTrainable, { instanceType: options.instanceType, pricing }, prices))
  const assumptions = new Set(prices.assumptions)
  for (const row of rows) for (const assumption of row.cost?.assumptions ?? []) assumptions.add(assumption)
  return {
    benchmarkId: benchmark.id,
    benchmarkName: benchmark.name,
    status: benchmark.status,
    generatedAt: new Date().toISOString(),
    cost: { instanceType: options.instanceType ?? null, pricing, assumptions: [...assumptions] },
    runs: rows,
    methods: bestConfigurationPerMethod(rows),
  }
}

/** `r=8, lora_alpha=16` from the run's hyperparameters (keys sorted); `default` when it set none. */
export function configLabel(config: { hyperparameters?: Record<string, unknown> }): string {
  const hyperparameters = hyperparametersOf(config)
  const parts = Object.keys(hyperparameters).sort().map((key) => `${key}=${formatValue(hyperparameters[key])}`)
  return parts.length > 0 ? parts.join(', ') : 'default'
}

/**
 * A run's peak memory as the comparison and the memory criterion read it: the process's peak
 * resident memory (RSS), which every run measures. Tensor bytes (engine runs only) and GPU
 * memory (GPU runs only) measure something else, so they are never mixed into it: they are
 * extra columns (`peakTensorBytes`, `peakGpuMemoryBytes`).
 */
export function peakMemory(summary: RunFigures | null): { bytes: number; source: MemorySource } | null {
  const bytes = positive(summary?.peakRssBytes)
  return bytes === null ? null : { bytes, source: 'rss' }
}

function positive(value: number | null | undefined): number | null {
  const number = measured(value)
  return number !== null && number > 0 ? number : null
}

function comparisonRow(run: AnalysisRun, fullTrainable: number | null, cost: Required<Pick<CostOptions, 'pricing'>> & CostOptions, prices: PriceTable): ComparisonRow {
  const { summary } = run
  const trainable = measured(summary?.trainableParameters)
  const total = measured(summary?.totalParameters)
  // Full fine-tuning trains every parameter: without a full run, the model's total stands in for it.
  const reference = fullTrainable ?? total
  const memory = peakMemory(summary)
  const succeeded = run.status === 'succeeded'
  const instanceType = cost.instanceType ?? (run.environment?.awsBatchJobId ? DEFAULT_GPU_INSTANCE : 'local')
  return {
    runId: run.id,
    ordinal: run.ordinal,
    method: run.method,
    configLabel: configLabel(run.config),
    hyperparameters: hyperparametersOf(run.config),
    seed: run.seed,
    status: run.status,
    trainableParameters: trainable,
    totalParameters: total,
    parameterReduction: trainable && reference ? reference / trainable : null,
    parameterReductionBasis: trainable && reference ? (fullTrainable ? 'full-run' : 'total-parameters') : null,
    peakMemoryBytes: memory?.bytes ?? null,
    memorySource: memory?.source ?? null,
    peakGpuMemoryBytes: positive(summary?.peakGpuMemoryBytes),
    peakTensorBytes: positive(summary?.peakTensorBytes),
    trainSeconds: measured(summary?.trainSeconds),
    accuracy: measured(summary?.accuracy),
    macroF1: measured(summary?.macroF1),
    validationAccuracy: measured(summary?.validationAccuracy),
    latencyP50Ms: measured(summary?.latencyP50Ms),
    latencyP95Ms: measured(summary?.latencyP95Ms),
    throughputPerSecond: measured(summary?.throughputPerSecond),
    entityMicroF1: measured(summary?.entityMicroF1),
    entityMacroF1: measured(summary?.entityMacroF1),
    intentMicroF1: measured(summary?.intentMicroF1),
    exactMatch: measured(summary?.exactMatch),
    bleu: measured(summary?.bleu),
    rougeL: measured(summary?.rougeL),
    perplexity: measured(summary?.perplexity),
    latencyPerTokenMs: measured(summary?.latencyPerTokenMs),
    tokensPerSecond: measured(summary?.tokensPerSecond),
    relevanceScore: measured(summary?.relevanceScore),
    securityScore: measured(summary?.securityScore),
    notApplicable: notApplicableFigures(run.method, summary),
    adapterBytes: measured(summary?.adapterBytes),
    backend: typeof summary?.backend === 'string' ? summary.backend : null,
    cost: succeeded ? costOfRun(run, { instanceType, pricing: cost.pricing }, prices) : null,
    servingDollarsPerMillionQueries: succeeded ? servingCostPerMillionQueries(summary, prices) : null,
  }
}

/** The trainable parameters of the benchmark's full fine-tuning, when a full run succeeded. */
function fullFineTuningTrainableParameters(runs: readonly AnalysisRun[]): number | null {
  const counts = runs.filter((run) => run.method === 'full' && run.status === 'succeeded')
    .map((run) => measured(run.summary?.trainableParameters))
    .filter((count): count is number => count !== null && count > 0)
  return counts.length > 0 ? Math.max(...counts) : null
}

/**
 * Groups succeeded runs by method and configuration (seeds pooled), then keeps
 * each method's configuration with the highest mean validation accuracy; ties go
 * to the configuration planned first. Methods keep the order of their first run.
 */
function bestConfigurationPerMethod(rows: readonly ComparisonRow[]): MethodBestRow[] {
  const groups = new Map<string, Map<string, ComparisonRow[]>>()
  for (const row of rows) {
    if (row.status !== 'succeeded') continue
    const configs = groups.get(row.method) ?? new Map<string, ComparisonRow[]>()
    configs.set(row.configLabel, [...(configs.get(row.configLabel) ?? []), row])
    groups.set(row.method, configs)
  }
  return [...groups].map(([method, configs]) => {
    let best: { label: string; members: ComparisonRow[]; score: number } | undefined
    for (const [label, members] of configs) {
      const score = seedStat(members.map((member) => member.validationAccuracy))?.mean ?? Number.NEGATIVE_INFINITY
      if (!best || score > best.score) best = { label, members, score }
    }
    return methodRow(method, best!.label, best!.members)
  })
}

function methodRow(method: string, label: string, members: ComparisonRow[]): MethodBestRow {
  const stat = (field: (row: ComparisonRow) => number | null) => seedStat(members.map(field))
  const first = members[0]!
  return {
    method,
    configLabel: label,
    selectedBy: 'validationAccuracy',
    runIds: members.map((member) => member.runId),
    seeds: members.map((member) => member.seed),
    validationAccuracy: stat((row) => row.validationAccuracy),
    accuracy: stat((row) => row.accuracy),
    macroF1: stat((row) => row.macroF1),
    latencyP50Ms: stat((row) => row.latencyP50Ms),
    latencyP95Ms: stat((row) => row.latencyP95Ms),
    throughputPerSecond: stat((row) => row.throughputPerSecond),
    entityMicroF1: stat((row) => row.entityMicroF1),
    entityMacroF1: stat((row) => row.entityMacroF1),
    intentMicroF1: stat((row) => row.intentMicroF1),
    exactMatch: stat((row) => row.exactMatch),
    bleu: stat((row) => row.bleu),
    rougeL: stat((row) => row.rougeL),
    perplexity: stat((row) => row.perplexity),
    latencyPerTokenMs: stat((row) => row.latencyPerTokenMs),
    tokensPerSecond: stat((row) => row.tokensPerSecond),
    relevanceScore: stat((row) => row.relevanceScore),
    securityScore: stat((row) => row.securityScore),
    notApplicable: first.notApplicable,
    trainSeconds: stat((row) => row.trainSeconds),
    peakMemoryBytes: stat((row) => row.peakMemoryBytes),
    peakGpuMemoryBytes: stat((row) => row.peakGpuMemoryBytes),
    peakTensorBytes: stat((row) => row.peakTensorBytes),
    costDollars: stat((row) => row.cost?.dollars ?? null),
    // The same configuration trains the same parameters whatever the seed.
    trainableParameters: first.trainableParameters,
    parameterReduction: first.parameterReduction,
    memorySource: first.memorySource,
  }
}

function hyperparametersOf(config: { hyperparameters?: Record<string, unknown> }): Record<string, unknown> {
  return config.hyperparameters ?? {}
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(formatValue).join('+')
  return typeof value === 'string' ? value : JSON.stringify(value)
}
