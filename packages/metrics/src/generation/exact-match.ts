/**
 * Exact match in percent: the share of generated texts equal to their reference. Both
 * sides are trimmed and inner whitespace runs collapsed first, because a decoder that
 * emits "card_arrival " or a doubled space has still produced the right answer;
 * anything else (case, punctuation) must match unless `ignoreCase` is set. This is
 * Hugging Face `evaluate`'s exact_match with whitespace normalised, times 100.
 */
export interface ExactMatchOptions {
  ignoreCase?: boolean
}

export function exactMatch(predictions: readonly string[], references: readonly string[], options: ExactMatchOptions = {}): number {
  if (predictions.length !== references.length) throw new Error(`exactMatch: ${predictions.length} predictions but ${references.length} references`)
  if (predictions.length === 0) return 0
  const normalize = (text: string) => {
    const collapsed = text.trim().replace(/\s+/g, ' ')
    return options.ignoreCase ? collapsed.toLowerCase() : collapsed
  }
  const matches = predictions.filter((prediction, index) => normalize(prediction) === normalize(references[index]!)).length
  return (100 * matches) / predictions.length
}
