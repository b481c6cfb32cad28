import { TfidfVectorizer } from '../tfidf-logreg/tfidf'
import { wordNgrams, type NgramRange } from '../tfidf-logreg/tokenize'
import { fitTruncatedSvd, transformTruncatedSvd, type TruncatedSvd } from './truncated-svd'

export interface TfidfSvdOptions {
  /** Output dimension (the SVD's rank). */
  dimension: number
  wordNgramRange: NgramRange
  /** Terms in fewer training texts are dropped: they carry no shared direction and would only widen the components. */
  minDf: number
  seed: number
}

export const DEFAULT_TFIDF_SVD_OPTIONS: Omit<TfidfSvdOptions, 'seed'> = { dimension: 256, wordNgramRange: [1, 2], minDf: 2 }

/**
 * The classical sentence encoder beside the neural ones: TF-IDF over word 1-2 grams
 * (sublinear tf, l2 rows) reduced by truncated SVD (latent semantic analysis). Word
 * n-grams only: the components are dense (rank x vocabulary), and character n-grams
 * would multiply the vocabulary tenfold for little gain in a reduced space.
 */
export class TfidfSvdEncoder {
  private constructor(private readonly vectorizer: TfidfVectorizer, private readonly svd: TruncatedSvd, readonly options: TfidfSvdOptions) {}

  static fit(texts: readonly string[], options: TfidfSvdOptions): TfidfSvdEncoder {
    const vectorizer = TfidfVectorizer.fit([...texts], wordNgrams(options.wordNgramRange), options.minDf)
    const dimension = Math.min(options.dimension, vectorizer.featureCount, texts.length)
    const svd = fitTruncatedSvd(vectorizer.transform([...texts]), dimension, { seed: options.seed })
    return new TfidfSvdEncoder(vectorizer, svd, { ...options, dimension })
  }

  get dimension(): number {
    return this.svd.rank
  }

  get vocabularySize(): number {
    return this.vectorizer.featureCount
  }

  /** Row-major, texts.length x dimension. */
  encode(texts: readonly string[]): Float32Array {
    return transformTruncatedSvd(this.svd, this.vectorizer.transform([...texts]))
  }
}
