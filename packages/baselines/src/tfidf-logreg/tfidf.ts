import type { Analyzer } from './tokenize'
import { csrFromRows, type CsrMatrix } from './sparse'

/** What a fitted vectorizer needs to be rebuilt exactly: its terms in column order and their idf. */
export interface TfidfState {
  vocabulary: string[]
  idf: Float64Array
}

/**
 * TF-IDF as scikit-learn's TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm='l2'):
 *   tf  = 1 + ln(count)                  (sublinear: the 5th "card" adds less than the 1st)
 *   idf = ln((1 + n) / (1 + df)) + 1      (smooth: as if one extra document held every term)
 * and each row scaled to unit L2 norm, so long and short queries weigh the same.
 * Terms seen in fewer than `minDf` training documents are dropped; unseen terms are ignored.
 * Columns follow the sorted vocabulary, as in scikit-learn.
 */
export class TfidfVectorizer {
  private readonly columnOf: Map<string, number>

  private constructor(private readonly analyzer: Analyzer, readonly state: TfidfState) {
    this.columnOf = new Map(state.vocabulary.map((term, column) => [term, column]))
  }

  static fit(documents: string[], analyzer: Analyzer, minDf = 1): TfidfVectorizer {
    const documentFrequency = new Map<string, number>()
    for (const document of documents) {
      for (const term of new Set(analyzer(document))) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1)
    }
    const vocabulary = [...documentFrequency.keys()].filter((term) => documentFrequency.get(term)! >= minDf).sort(compareCodeUnits)
    const idf = Float64Array.from(vocabulary, (term) => Math.log((1 + documents.length) / (1 + documentFrequency.get(term)!)) + 1)
    return new TfidfVectorizer(analyzer, { vocabulary, idf })
  }

  /** Rebuilds a vectorizer from `state`; `analyzer` must be the one it was fitted with. */
  static restore(analyzer: Analyzer, state: TfidfState): TfidfVectorizer {
    return new TfidfVectorizer(analyzer, state)
  }

  get featureCount(): number {
    return this.state.vocabulary.length
  }

  transform(documents: string[]): CsrMatrix {
    return csrFromRows(documents.map((document) => this.vectorize(document)), this.featureCount)
  }

  private vectorize(document: string): { columns: Int32Array; values: Float64Array } {
    const counts = new Map<number, number>()
    for (const term of this.analyzer(document)) {
      const column = this.columnOf.get(term)
      if (column !== undefined) counts.set(column, (counts.get(column) ?? 0) + 1)
    }
    // Sorted columns: deterministic sums and sequential access into the weight matrix.
    const columns = Int32Array.from(counts.keys()).sort()
    const values = Float64Array.from(columns, (column) => (1 + Math.log(counts.get(column)!)) * this.state.idf[column]!)
    let squares = 0
    for (const value of values) squares += value * value
    const norm = Math.sqrt(squares)
    if (norm > 0) for (let index = 0; index < values.length; index++) values[index]! /= norm
    return { columns, values }
  }
}

/** Plain code-unit order (not locale order), so the vocabulary sorts the same everywhere. */
function compareCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}
