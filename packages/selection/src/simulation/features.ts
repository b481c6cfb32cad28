import { columnStatistics, denseToCsr, standardize, stackColumns, TfidfVectorizer, wordNgrams, charWbNgrams, type CsrMatrix, type NgramRange } from '@bankbench/baselines'
import { seededRandom } from '@bankbench/data'
import type { Embeddings } from '../types'
import { rowNorms } from './sparse-rows'

/**
 * What the simulation learns from and measures distances on, computed once before the
 * first round: fixed features never change with the labels, so only the head is refitted.
 */
export interface FeatureSet {
  /** The learner's input for every pool row and every test row. */
  pool: CsrMatrix
  test: CsrMatrix
  /** Vectors for the geometric strategies (core-set, diversity), one per pool row. */
  embeddings: Embeddings
  /** Each pool row's input norm (expected gradient length). */
  featureNorms: Float32Array
  /**
   * The pool's head inputs under independent Monte-Carlo dropout masks of the encoder
   * that made them (the engine's dropout, `embeddingFeatures`' `dropoutViews`). Where
   * present, BALD's samples are the round's head on each view; where absent, they are
   * dropout on the head's own input.
   */
  dropoutPool?: CsrMatrix[]
  /** How BALD's dropout samples are drawn, in words (for the summary). */
  dropoutSource?: string
  /** Where the features came from, for the summary. */
  source: string
}

export interface TfidfFeatureOptions {
  wordNgramRange: NgramRange
  /** Null for word n-grams only. */
  charNgramRange: NgramRange | null
  /** Terms in fewer pool texts than this are dropped: rarer ones cannot generalise and would only slow each refit. */
  minDf: number
  /** Width of the random projection the geometric strategies measure distances in. */
  projectionDimension: number
}

export const DEFAULT_TFIDF_FEATURES: TfidfFeatureOptions = { wordNgramRange: [1, 2], charNgramRange: null, minDf: 2, projectionDimension: 128 }

/**
 * TF-IDF features fitted on the pool's texts (unlabelled text: using it is fair in
 * pool-based selection) and applied to the test texts. The geometric strategies get a
 * seeded Gaussian random projection of the unit-length TF-IDF rows: by
 * Johnson-Lindenstrauss it keeps their distances (and so their cosine similarities)
 * close, at a fraction of the cost of distances over the whole vocabulary.
 */
export function tfidfFeatures(poolTexts: string[], testTexts: string[], overrides: Partial<TfidfFeatureOptions> = {}): FeatureSet {
  const options = { ...DEFAULT_TFIDF_FEATURES, ...overrides }
  const analyzers = [wordNgrams(options.wordNgramRange), ...(options.charNgramRange ? [charWbNgrams(options.charNgramRange)] : [])]
  const vectorizers = analyzers.map((analyzer) => TfidfVectorizer.fit(poolTexts, analyzer, options.minDf))
  const transform = (texts: string[]) => stackColumns(vectorizers.map((vectorizer) => vectorizer.transform(texts)))
  const pool = transform(poolTexts)
  const test = transform(testTexts)
  const grams = `word ${options.wordNgramRange.join('-')}${options.charNgramRange ? ` + char_wb ${options.charNgramRange.join('-')}` : ''} grams`
  return {
    pool,
    test,
    embeddings: randomProjection(pool, options.projectionDimension, 0),
    featureNorms: rowNorms(pool),
    source: `tfidf (${grams}, min_df ${options.minDf}, ${pool.columnCount} columns)`,
  }
}

/** Rows of a CSR matrix times a seeded N(0, 1/dimension) matrix. */
export function randomProjection(matrix: CsrMatrix, dimension: number, seed: number): Embeddings {
  const random = seededRandom(seed)
  // Box-Muller, one column of the projection per feature, generated once.
  const projection = new Float32Array(matrix.columnCount * dimension)
  for (let index = 0; index < projection.length; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random())) / Math.sqrt(dimension)
    const angle = 2 * Math.PI * random()
    projection[index] = radius * Math.cos(angle)
    if (index + 1 < projection.length) projection[index + 1] = radius * Math.sin(angle)
  }
  const values = new Float32Array(matrix.rowCount * dimension)
  for (let row = 0; row < matrix.rowCount; row++) {
    for (let entry = matrix.rowStarts[row]!; entry < matrix.rowStarts[row + 1]!; entry++) {
      const value = matrix.values[entry]!
      const base = matrix.columns[entry]! * dimension
      for (let j = 0; j < dimension; j++) values[row * dimension + j]! += value * projection[base + j]!
    }
  }
  return { dimension, values }
}

/**
 * A frozen encoder's sentence embeddings as the fixed features: the head learns on
 * them standardised with the pool's column statistics (as the frozen-probe baseline
 * does), and the geometric strategies measure distances on them as they are.
 * `dropout` carries the pool embedded again under the encoder's Monte-Carlo dropout
 * (one view per sample), standardised with the same statistics: BALD's samples.
 */
export function embeddingFeatures(pool: Embeddings, test: Embeddings, source: string, dropout?: { views: Embeddings[]; source: string }): FeatureSet {
  if (pool.dimension !== test.dimension) throw new Error(`pool and test embeddings differ in width: ${pool.dimension} and ${test.dimension}`)
  for (const view of dropout?.views ?? []) {
    if (view.dimension !== pool.dimension || view.values.length !== pool.values.length) throw new Error('a dropout view of the pool differs from the pool in shape')
  }
  const asMatrix = (embeddings: Embeddings) => ({ rows: embeddings.values.length / embeddings.dimension, columns: embeddings.dimension, values: embeddings.values })
  const { mean, scale } = columnStatistics(asMatrix(pool))
  const poolFeatures = denseToCsr(standardize(asMatrix(pool), mean, scale))
  return {
    pool: poolFeatures,
    test: denseToCsr(standardize(asMatrix(test), mean, scale)),
    embeddings: pool,
    featureNorms: rowNorms(poolFeatures),
    source,
    ...(dropout && { dropoutPool: dropout.views.map((view) => denseToCsr(standardize(asMatrix(view), mean, scale))), dropoutSource: dropout.source }),
  }
}
