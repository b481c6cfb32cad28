/**
 * ROUGE-1, ROUGE-2 and ROUGE-L as Google's `rouge-score` package defines them
 * (`rouge_scorer.RougeScorer(['rouge1', 'rouge2', 'rougeL'], use_stemmer=False)`):
 * lowercase, every run of characters outside [a-z0-9] becomes a space, whitespace
 * tokens; ROUGE-N from clipped n-gram overlap, ROUGE-L from the longest common
 * subsequence of the two token lists (sentence level, not rougeLsum). Each pair gets
 * precision, recall and F1; the corpus figure is the mean F1 over pairs, which is what
 * rouge-score's BootstrapAggregator reports as its mid estimate.
 */

export interface RougePair {
  precision: number
  recall: number
  f1: number
}

export interface RougeScores {
  rouge1: RougePair
  rouge2: RougePair
  rougeL: RougePair
}

/** rouge-score's `tokenize.tokenize(text, stemmer=None)`. */
export function rougeTokenize(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(/\s+/).filter((token) => /^[a-z0-9]+$/.test(token))
}

/** Scores one generated text against its reference. */
export function rougeScores(reference: string, prediction: string): RougeScores {
  const target = rougeTokenize(reference)
  const predicted = rougeTokenize(prediction)
  return { rouge1: ngramOverlap(target, predicted, 1), rouge2: ngramOverlap(target, predicted, 2), rougeL: longestCommonSubsequence(target, predicted) }
}

/** Mean precision, recall and F1 per ROUGE type over aligned reference/prediction pairs. */
export function corpusRouge(references: readonly string[], predictions: readonly string[]): RougeScores {
  if (references.length !== predictions.length) throw new Error(`corpusRouge: ${references.length} references but ${predictions.length} predictions`)
  const pairs = references.map((reference, index) => rougeScores(reference, predictions[index]!))
  const mean = (type: keyof RougeScores): RougePair => {
    const average = (field: keyof RougePair) => (pairs.length === 0 ? 0 : pairs.reduce((sum, pair) => sum + pair[type][field], 0) / pairs.length)
    return { precision: average('precision'), recall: average('recall'), f1: average('f1') }
  }
  return { rouge1: mean('rouge1'), rouge2: mean('rouge2'), rougeL: mean('rougeL') }
}

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
}

function ngramOverlap(target: readonly string[], prediction: readonly string[], n: number): RougePair {
  const count = (tokens: readonly string[]) => {
    const counts = new Map<string, number>()
    for (let start = 0; start + n <= tokens.length; start++) {
      const key = tokens.slice(start, start + n).join(' ')
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return counts
  }
  const targetCounts = count(target)
  const predictionCounts = count(prediction)
  let overlap = 0
  for (const [ngram, targetCount] of targetCounts) overlap += Math.min(targetCount, predictionCounts.get(ngram) ?? 0)
  const sum = (counts: Map<string, number>) => [...counts.values()].reduce((total, value) => total + value, 0)
  // rouge-score divides by max(count, 1): an empty side scores 0, not NaN.
  const precision = overlap / Math.max(sum(predictionCounts), 1)
  const recall = overlap / Math.max(sum(targetCounts), 1)
  return { precision, recall, f1: fmeasure(precision, recall) }
}

function longestCommonSubsequence(target: readonly string[], prediction: readonly string[]): RougePair {
  if (target.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, f1: 0 }
  // One rolling row of the usual dynamic-programming table.
  let previous = new Array<number>(prediction.length + 1).fill(0)
  for (let row = 1; row <= target.length; row++) {
    const current = new Array<number>(prediction.length + 1).fill(0)
    for (let column = 1; column <= prediction.length; column++) {
      current[column] = target[row - 1] === prediction[column - 1] ? previous[column - 1]! + 1 : Math.max(previous[column]!, current[column - 1]!)
    }
    previous = current
  }
  const length = previous[prediction.length]!
  const precision = length / prediction.length
  const recall = length / target.length
  return { precision, recall, f1: fmeasure(precision, recall) }
}
