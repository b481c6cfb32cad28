import { seededShuffle } from '@bankbench/data'
import { deriveSeed } from './seeds'

/** Batches per length-sorted group: HF's LengthGroupedSampler uses megabatches of 50 batches too. */
const BATCHES_PER_GROUP = 50

/** Purposes, so the two shuffles of an epoch draw from unrelated streams. */
const SHUFFLE_EXAMPLES = 1
const SHUFFLE_BATCHES = 2

/**
 * The batches of one epoch, a pure function of (examples, batchSize, seed, epoch): a
 * resumed job recomputes exactly the batches it would have seen, so the "random
 * position" to checkpoint is just (epoch, batch index).
 *
 * With `lengthOf`, batches mix lengths little (padding stays small): the shuffled
 * examples are cut into groups of 50 batches, each group is sorted by length
 * (longest first; ties keep shuffled order), cut into batches, and the order of all
 * batches is shuffled again so that long and short batches alternate through the epoch.
 */
export function makeBatches<Example>(
  examples: readonly Example[],
  batchSize: number,
  seed: number,
  epoch: number,
  lengthOf?: (example: Example) => number,
): Example[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`makeBatches: batchSize must be a positive integer, got ${batchSize}`)
  const shuffled = seededShuffle(examples, deriveSeed(seed, epoch, SHUFFLE_EXAMPLES))
  if (!lengthOf) return chunk(shuffled, batchSize)

  const groupSize = batchSize * BATCHES_PER_GROUP
  const batches: Example[][] = []
  for (let start = 0; start < shuffled.length; start += groupSize) {
    const group = shuffled.slice(start, start + groupSize)
    const lengths = group.map(lengthOf)
    const order = group.map((_, index) => index).sort((a, b) => lengths[b]! - lengths[a]! || a - b)
    batches.push(...chunk(order.map((index) => group[index]!), batchSize))
  }
  return seededShuffle(batches, deriveSeed(seed, epoch, SHUFFLE_BATCHES))
}

/** How many batches every epoch has (the same for every epoch and both modes). */
export function batchesPerEpoch(exampleCount: number, batchSize: number): number {
  return Math.ceil(exampleCount / batchSize)
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size))
  return chunks
}
