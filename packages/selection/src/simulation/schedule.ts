import { seededShuffle } from '@bankbench/data'

/**
 * A stratified seed set: `perClass` rows of every class (all of a class's rows when it
 * has fewer), each class's drawn by a seeded shuffle. The learner's first fit then
 * knows every intent, which random seeding of 77 rows would not give it.
 */
export function stratifiedSeedSet(targets: Int32Array, classCount: number, perClass: number, seed: number): number[] {
  const byClass: number[][] = Array.from({ length: classCount }, () => [])
  targets.forEach((target, row) => byClass[target]!.push(row))
  return byClass.flatMap((rows, label) => seededShuffle(rows, seed * 7919 + label).slice(0, perClass))
}

/**
 * The labels used after each round: `rounds` sizes from the seed set's to the budget,
 * evenly spaced on a log scale (learning curves rise fastest at the start, so early
 * rounds are small and later ones large), rounded, strictly increasing.
 */
export function labelSchedule(seedSize: number, budget: number, rounds: number): number[] {
  if (!(seedSize >= 1 && budget >= seedSize && rounds >= 1)) throw new Error(`a label schedule needs 1 <= seed size (${seedSize}) <= budget (${budget}) and at least 1 round`)
  if (rounds === 1 || budget === seedSize) return [seedSize, ...(budget > seedSize ? [budget] : [])]
  const sizes = [seedSize]
  const ratio = (budget / seedSize) ** (1 / (rounds - 1))
  for (let round = 1; round < rounds; round++) {
    const size = round === rounds - 1 ? budget : Math.round(seedSize * ratio ** round)
    if (size > sizes.at(-1)!) sizes.push(size)
  }
  return sizes
}
