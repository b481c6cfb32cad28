/** Summaries of a singular value spectrum: how many directions an update really uses. */

export interface SpectrumSummary {
  /** Largest first. */
  singularValues: number[]
  /** Cumulative share of the energy (Σσ², the squared Frobenius norm) in the top-k directions, k = 1…n. */
  cumulativeEnergy: number[]
  /** Fewest directions holding 90% of the energy. */
  rankFor90PercentEnergy: number
  /** exp of the entropy of σ/Σσ (Roy & Vetterli 2007): from 1 (one direction) to n (all equal). */
  effectiveRank: number
  frobeniusNorm: number
}

/** Roy & Vetterli's effective rank: exp(H(p)) with p = σ / Σσ; 0 for a zero matrix. */
export function effectiveRank(singularValues: readonly number[]): number {
  const total = singularValues.reduce((sum, value) => sum + value, 0)
  if (total === 0) return 0
  let entropy = 0
  for (const value of singularValues) {
    const p = value / total
    if (p > 0) entropy -= p * Math.log(p)
  }
  return Math.exp(entropy)
}

/** Share of Σσ² held by the top-k values, for each k; all zeros for a zero matrix. */
export function cumulativeEnergy(singularValues: readonly number[]): number[] {
  const energies = singularValues.map((value) => value * value)
  const total = energies.reduce((sum, value) => sum + value, 0)
  let running = 0
  return energies.map((energy) => {
    running += energy
    return total === 0 ? 0 : running / total
  })
}

/** Fewest top directions whose energy share reaches `share` (0 for a zero matrix). */
export function rankForEnergy(singularValues: readonly number[], share: number): number {
  const cumulative = cumulativeEnergy(singularValues)
  if (cumulative.at(-1) === 0) return 0
  // A small tolerance so that share 1 is reached despite rounding.
  return cumulative.findIndex((value) => value >= share - 1e-12) + 1
}

export function summarizeSpectrum(values: readonly number[]): SpectrumSummary {
  const singularValues = [...values].sort((x, y) => y - x)
  return {
    singularValues,
    cumulativeEnergy: cumulativeEnergy(singularValues),
    rankFor90PercentEnergy: rankForEnergy(singularValues, 0.9),
    effectiveRank: effectiveRank(singularValues),
    frobeniusNorm: Math.sqrt(singularValues.reduce((sum, value) => sum + value * value, 0)),
  }
}
