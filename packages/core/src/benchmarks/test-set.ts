import { seededShuffle, type DatasetSplits } from '@bankbench/data'
import { TEST_SETS, type TestSetChoice } from './spec'

/** `sample500` is always the same 500 test rows: drawn with this seed. */
export const SAMPLE_500 = { size: 500, seed: 500 } as const

/**
 * The dataset a run evaluates on, per its protocol's `testSet`: the official test
 * split, or a fixed-seed sample of 500 of its rows (quicker, noisier: ±1.4 points
 * of standard error at 90% accuracy against ±0.5 on Banking77's 3,080).
 */
export function withTestSet(splits: DatasetSplits, choice: unknown): DatasetSplits {
  const testSet: TestSetChoice = (TEST_SETS as readonly unknown[]).includes(choice) ? choice as TestSetChoice : 'official'
  if (testSet === 'official') return splits
  return { ...splits, test: seededShuffle(splits.test, SAMPLE_500.seed).slice(0, SAMPLE_500.size) }
}
