/**
 * What a query strategy sees and returns. Every strategy is a pure function of the
 * pool's model outputs (class probabilities, Monte-Carlo dropout samples) or its
 * embeddings, plus which rows are already labelled: it returns the pool indices to
 * label next. Nothing here trains or runs a model: the simulation (simulation/) does,
 * and hands the strategy only what its `needs` name.
 */

/** Row-major vectors: row r is values[r*dimension .. (r+1)*dimension). */
export interface Embeddings {
  dimension: number
  values: Float32Array
}

/**
 * Sparse rows (the layout of @bankbench/baselines' CsrMatrix): row r's non-zero entries are
 * columns[rowStarts[r] .. rowStarts[r+1]) with their values.
 */
export interface SparseRows {
  rowCount: number
  columnCount: number
  rowStarts: Int32Array
  columns: Int32Array
  values: Float64Array
}

/** The model's view of every pool row (labelled or not), row-major over `classCount` columns. */
export interface PoolOutputs {
  /** Pool rows, labelled and unlabelled. */
  size: number
  classCount: number
  /** The learner's class probabilities, size × classCount. */
  probabilities?: Float32Array
  /** Class probabilities under T independent dropout masks (BALD), each size × classCount. */
  dropoutSamples?: Float32Array[]
  /** A vector per row for the geometric strategies (core-set, diversity). */
  embeddings?: Embeddings
  /** The L2 norm of each row's input to the softmax head (expected gradient length). */
  featureNorms?: Float32Array
  /** Each row's input to the softmax head, as the head reads it (BADGE's gradient embeddings). */
  headInputs?: SparseRows
}

/** What a strategy may ask the simulation to compute for it. */
export type PoolNeed = 'probabilities' | 'dropoutSamples' | 'embeddings' | 'featureNorms' | 'headInputs'

export interface SelectionRequest {
  pool: PoolOutputs
  /** 1 where the row is already labelled (never selected again). */
  labeled: Uint8Array
  /** How many rows to return (fewer only when fewer are unlabelled). */
  batchSize: number
  /** Seeds every random choice, so the same request selects the same rows. */
  seed: number
}

/** One query strategy: a pure function from a request (and its own options) to pool indices, distinct and unlabelled. */
export interface SelectionStrategy<Options = Record<string, never>> {
  readonly name: string
  /** One line for tables and the report. */
  readonly description: string
  readonly needs: readonly PoolNeed[]
  readonly defaults: Options
  select(request: SelectionRequest, options: Options): number[]
}
