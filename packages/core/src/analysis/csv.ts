import type { Comparison, ComparisonRow, MethodBestRow, SeedStat } from './types'

export type ComparisonView = 'runs' | 'methods'

type Cell = string | number | null

const RUN_COLUMNS: [string, (row: ComparisonRow) => Cell][] = [
  ['run_id', (row) => row.runId],
  ['method', (row) => row.method],
  ['config', (row) => row.configLabel],
  ['seed', (row) => row.seed],
  ['status', (row) => row.status],
  ['trainable_parameters', (row) => row.trainableParameters],
  ['parameter_reduction', (row) => row.parameterReduction],
  ['parameter_reduction_basis', (row) => row.parameterReductionBasis],
  ['peak_memory_bytes', (row) => row.peakMemoryBytes],
  ['memory_source', (row) => row.memorySource],
  ['peak_gpu_memory_bytes', (row) => row.peakGpuMemoryBytes],
  ['peak_tensor_bytes', (row) => row.peakTensorBytes],
  ['train_seconds', (row) => row.trainSeconds],
  ['accuracy', (row) => row.accuracy],
  ['macro_f1', (row) => row.macroF1],
  ['validation_accuracy', (row) => row.validationAccuracy],
  ['latency_p50_ms', (row) => row.latencyP50Ms],
  ['latency_p95_ms', (row) => row.latencyP95Ms],
  ['throughput_per_second', (row) => row.throughputPerSecond],
  ['entity_micro_f1', (row) => row.entityMicroF1],
  ['entity_macro_f1', (row) => row.entityMacroF1],
  ['multilabel_intent_micro_f1', (row) => row.intentMicroF1],
  ['exact_match', (row) => row.exactMatch],
  ['bleu', (row) => row.bleu],
  ['rouge_l', (row) => row.rougeL],
  ['perplexity', (row) => row.perplexity],
  ['latency_per_token_ms', (row) => row.latencyPerTokenMs],
  ['tokens_per_second', (row) => row.tokensPerSecond],
  ['relevance_score_of_10', (row) => row.relevanceScore],
  ['security_score_of_10', (row) => row.securityScore],
  // Semicolon-separated figure names: an empty cell there is "not applicable", elsewhere "unmeasured".
  ['not_applicable', (row) => row.notApplicable.join(';') || null],
  ['cost_dollars', (row) => row.cost?.dollars ?? null],
  ['instance_type', (row) => row.cost?.instanceType ?? null],
]

const METHOD_STATS: [string, (row: MethodBestRow) => SeedStat | null][] = [
  ['validation_accuracy', (row) => row.validationAccuracy],
  ['accuracy', (row) => row.accuracy],
  ['macro_f1', (row) => row.macroF1],
  ['latency_p50_ms', (row) => row.latencyP50Ms],
  ['latency_p95_ms', (row) => row.latencyP95Ms],
  ['throughput_per_second', (row) => row.throughputPerSecond],
  ['entity_micro_f1', (row) => row.entityMicroF1],
  ['entity_macro_f1', (row) => row.entityMacroF1],
  ['multilabel_intent_micro_f1', (row) => row.intentMicroF1],
  ['exact_match', (row) => row.exactMatch],
  ['bleu', (row) => row.bleu],
  ['rouge_l', (row) => row.rougeL],
  ['perplexity', (row) => row.perplexity],
  ['latency_per_token_ms', (row) => row.latencyPerTokenMs],
  ['tokens_per_second', (row) => row.tokensPerSecond],
  ['relevance_score_of_10', (row) => row.relevanceScore],
  ['security_score_of_10', (row) => row.securityScore],
  ['train_seconds', (row) => row.trainSeconds],
  ['peak_memory_bytes', (row) => row.peakMemoryBytes],
  ['peak_gpu_memory_bytes', (row) => row.peakGpuMemoryBytes],
  ['peak_tensor_bytes', (row) => row.peakTensorBytes],
  ['cost_dollars', (row) => row.costDollars],
]

const METHOD_COLUMNS: [string, (row: MethodBestRow) => Cell][] = [
  ['method', (row) => row.method],
  ['config', (row) => row.configLabel],
  ['seeds', (row) => row.seeds.length],
  ['trainable_parameters', (row) => row.trainableParameters],
  ['parameter_reduction', (row) => row.parameterReduction],
  ['memory_source', (row) => row.memorySource],
  // Each statistic as two columns, mean and standard deviation over seeds.
  ...METHOD_STATS.flatMap(([name, stat]): [string, (row: MethodBestRow) => Cell][] => [
    [`${name}_mean`, (row) => stat(row)?.mean ?? null],
    [`${name}_std`, (row) => stat(row)?.std ?? null],
  ]),
]

/** The comparison as CSV (RFC 4180, header row, empty cells for unmeasured values): one line per run, or per method. */
export function comparisonToCsv(comparison: Comparison, view: ComparisonView = 'runs'): string {
  return view === 'runs' ? toCsv(RUN_COLUMNS, comparison.runs) : toCsv(METHOD_COLUMNS, comparison.methods)
}

function toCsv<Row>(columns: [string, (row: Row) => Cell][], rows: readonly Row[]): string {
  const lines = [columns.map(([name]) => name), ...rows.map((row) => columns.map(([, cell]) => cell(row)))]
  return lines.map((line) => line.map(escapeCell).join(',')).join('\r\n') + '\r\n'
}

function escapeCell(cell: Cell): string {
  if (cell === null) return ''
  const text = String(cell)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
