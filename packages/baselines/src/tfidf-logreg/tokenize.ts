/**
 * Text analyzers that turn a document into the n-gram terms that become TF-IDF
 * features. Both mirror scikit-learn's CountVectorizer analyzers (lowercase, no
 * accent stripping) so that the peer benchmark compares like with like.
 */

/** Turns one document into its terms, repeated as often as they occur. */
export type Analyzer = (text: string) => string[]

/** An inclusive n-gram size range, e.g. [1, 2] for unigrams and bigrams. */
export type NgramRange = readonly [min: number, max: number]

/**
 * scikit-learn's default token_pattern `(?u)\b\w\w+\b`: runs of two or more word
 * characters (Unicode letters, digits, underscore). Single characters are dropped.
 */
const WORD_TOKEN = /[\p{L}\p{N}_]{2,}/gu

/** analyzer='word': lowercase word tokens joined into n-grams with single spaces. */
export function wordNgrams(range: NgramRange): Analyzer {
  const [minN, maxN] = range
  return (text) => {
    const tokens = text.toLowerCase().match(WORD_TOKEN) ?? []
    const terms: string[] = []
    for (let n = minN; n <= maxN; n++) {
      for (let start = 0; start + n <= tokens.length; start++) {
        terms.push(n === 1 ? tokens[start]! : tokens.slice(start, start + n).join(' '))
      }
    }
    return terms
  }
}

/**
 * analyzer='char_wb': character n-grams taken only inside words, each word padded
 * with one space either side, so that " ca" marks a word start and "rd " a word end.
 * A padded word shorter than n yields itself once and no longer n-grams (as in
 * scikit-learn). Strings are sliced by UTF-16 unit, which equals scikit-learn's code
 * points for every text outside the astral planes (all of Banking77).
 */
export function charWbNgrams(range: NgramRange): Analyzer {
  const [minN, maxN] = range
  return (text) => {
    const terms: string[] = []
    for (const word of text.toLowerCase().split(/\s+/)) {
      if (word === '') continue
      const padded = ` ${word} `
      for (let n = minN; n <= maxN; n++) {
        if (padded.length <= n) {
          terms.push(padded)
          break
        }
        for (let start = 0; start + n <= padded.length; start++) terms.push(padded.slice(start, start + n))
      }
    }
    return terms
  }
}
