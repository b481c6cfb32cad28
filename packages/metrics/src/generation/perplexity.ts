/**
 * Perplexity from per-token log-likelihoods: exp of the mean negative log-likelihood
 * over every scored token of every text (token-weighted, as Hugging Face's perplexity
 * guide and fairseq compute corpus perplexity), not a mean of per-text perplexities,
 * which would let short texts dominate. Log-likelihoods are natural logarithms.
 */
export interface PerplexityResult {
  perplexity: number
  /** Mean negative log-likelihood per token, in nats (the cross-entropy loss). */
  meanNegativeLogLikelihood: number
  tokens: number
}

/** @param tokenLogLikelihoods one array per text: ln p(token | preceding tokens) for each predicted token. */
export function perplexity(tokenLogLikelihoods: readonly (readonly number[] | Float32Array | Float64Array)[]): PerplexityResult {
  let sum = 0
  let tokens = 0
  for (const text of tokenLogLikelihoods) {
    for (const logLikelihood of text) {
      if (!(logLikelihood <= 0)) throw new Error(`perplexity: a log-likelihood must be a finite value <= 0, got ${logLikelihood}`)
      sum -= logLikelihood
      tokens++
    }
  }
  if (tokens === 0) throw new Error('perplexity: no tokens to score')
  const meanNegativeLogLikelihood = sum / tokens
  return { perplexity: Math.exp(meanNegativeLogLikelihood), meanNegativeLogLikelihood, tokens }
}
