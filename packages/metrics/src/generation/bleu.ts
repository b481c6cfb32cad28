/**
 * Corpus BLEU exactly as sacreBLEU computes it (`sacrebleu.corpus_bleu`, BLEU 2.x):
 * the `13a` tokenizer (mteval-v13a, what WMT reports), n-gram orders 1-4, clipped
 * counts summed over the whole corpus before dividing (corpus level, not a mean of
 * sentence scores), the closest reference length per segment for the brevity penalty,
 * and the geometric mean of the four precisions. Scores are on sacreBLEU's 0-100 scale.
 */

export type BleuSmoothing = 'exp' | 'none'

export interface BleuOptions {
  /** Lowercase hypotheses and references first (sacreBLEU `-lc`); default false, as sacreBLEU. */
  lowercase?: boolean
  /**
   * What an n-gram order with no match contributes. sacreBLEU's default is `exp`
   * (mteval's NIST smoothing: the k-th empty order counts as 1/(2^k · total)); `none`
   * leaves its precision at 0, which makes the whole score 0. When every order has a
   * match the two agree.
   */
  smoothing?: BleuSmoothing
}

export interface BleuScore {
  /** 0-100. */
  score: number
  /** Per order 1-4, in percent. */
  precisions: number[]
  brevityPenalty: number
  hypothesisLength: number
  referenceLength: number
  /** Matched (clipped) and proposed n-grams per order, summed over the corpus. */
  correct: number[]
  total: number[]
}

const MAX_ORDER = 4

/**
 * mteval-v13a tokenization as sacreBLEU's `Tokenizer13a` + `TokenizerRegexp` do it:
 * unescape a few entities, split off punctuation and symbols, split `.` and `,` unless
 * they sit between digits (so "1,000.50" stays one token), split a dash after a digit.
 */
export function tokenize13a(line: string): string {
  let text = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ')
  if (text.includes('&')) {
    text = text.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>')
  }
  text = ` ${text} `
  // Python's re.sub replaces non-overlapping matches left to right, as the g flag does.
  text = text.replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ')
  text = text.replace(/([^0-9])([.,])/g, '$1 $2 ')
  text = text.replace(/([.,])([^0-9])/g, ' $1 $2')
  text = text.replace(/([0-9])(-)/g, '$1 $2 ')
  // Python's str.split() with no argument splits on runs of any whitespace.
  return text.split(/\s+/).filter((token) => token.length > 0).join(' ')
}

/**
 * @param hypotheses one generated text per segment
 * @param references one or more reference streams, each with one text per segment
 *   (sacreBLEU's `[refs_stream_1, refs_stream_2, ...]`)
 */
export function corpusBleu(hypotheses: readonly string[], references: readonly (readonly string[])[], options: BleuOptions = {}): BleuScore {
  for (const stream of references) {
    if (stream.length !== hypotheses.length) throw new Error(`corpusBleu: ${hypotheses.length} hypotheses but a reference stream of ${stream.length}`)
  }
  if (references.length === 0) throw new Error('corpusBleu: at least one reference stream is needed')
  const prepare = (text: string) => tokenize13a(options.lowercase ? text.toLowerCase() : text).split(' ').filter((token) => token.length > 0)
  const correct = new Array<number>(MAX_ORDER).fill(0)
  const total = new Array<number>(MAX_ORDER).fill(0)
  let hypothesisLength = 0
  let referenceLength = 0

  hypotheses.forEach((hypothesis, segment) => {
    // sacreBLEU strips trailing whitespace before tokenizing (`sent.rstrip()`).
    const hypothesisTokens = prepare(hypothesis.trimEnd())
    const referenceCounts = new Map<string, number>()
    const referenceLengths: number[] = []
    for (const stream of references) {
      const tokens = prepare(stream[segment]!.trimEnd())
      referenceLengths.push(tokens.length)
      // Several references: an n-gram may be matched as often as the reference that has it most.
      for (const [ngram, count] of ngramCounts(tokens)) referenceCounts.set(ngram, Math.max(referenceCounts.get(ngram) ?? 0, count))
    }
    hypothesisLength += hypothesisTokens.length
    referenceLength += closestReferenceLength(hypothesisTokens.length, referenceLengths)
    for (const [ngram, count] of ngramCounts(hypothesisTokens)) {
      const order = ngram.split('\u0001').length - 1
      total[order]! += count
      correct[order]! += Math.min(count, referenceCounts.get(ngram) ?? 0)
    }
  })
  return bleuFromStatistics(correct, total, hypothesisLength, referenceLength, options.smoothing ?? 'exp')
}

/** sacreBLEU's `BLEU.compute_bleu` with effective_order off (the corpus default). */
function bleuFromStatistics(correct: number[], total: number[], hypothesisLength: number, referenceLength: number, smoothing: BleuSmoothing): BleuScore {
  const brevityPenalty = hypothesisLength < referenceLength ? (hypothesisLength > 0 ? Math.exp(1 - referenceLength / hypothesisLength) : 0) : 1
  const precisions = new Array<number>(MAX_ORDER).fill(0)
  const result = { precisions, brevityPenalty, hypothesisLength, referenceLength, correct, total }
  if (!correct.some((count) => count > 0)) return { score: 0, ...result }
  let smoothingFactor = 1
  for (let order = 0; order < MAX_ORDER; order++) {
    // No n-grams of this order proposed at all: sacreBLEU stops, leaving this and higher orders at 0.
    if (total[order] === 0) break
    if (correct[order] === 0) {
      if (smoothing === 'exp') {
        smoothingFactor *= 2
        precisions[order] = 100 / (smoothingFactor * total[order]!)
      }
    } else {
      precisions[order] = (100 * correct[order]!) / total[order]!
    }
  }
  // sacreBLEU's my_log floors log(0) at -9999999999, so a zero precision drives the score to 0.
  const logMean = precisions.reduce((sum, precision) => sum + (precision === 0 ? -9999999999 : Math.log(precision)), 0) / MAX_ORDER
  return { score: brevityPenalty * Math.exp(logMean), ...result }
}

function ngramCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (let n = 1; n <= MAX_ORDER; n++) {
    for (let start = 0; start + n <= tokens.length; start++) {
      // A separator no 13a token contains, so distinct n-grams never collide.
      const key = tokens.slice(start, start + n).join('\u0001')
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
  }
  return counts
}

/** The reference length nearest the hypothesis length; on a tie, the shorter one (sacreBLEU). */
function closestReferenceLength(hypothesisLength: number, referenceLengths: readonly number[]): number {
  let closestDifference = -1
  let closest = -1
  for (const length of referenceLengths) {
    const difference = Math.abs(hypothesisLength - length)
    if (closestDifference === -1 || difference < closestDifference) {
      closestDifference = difference
      closest = length
    } else if (difference === closestDifference && length < closest) {
      closest = length
    }
  }
  return closest
}
