import { describe, expect, it } from 'vitest'
import { measureLatency, measureThroughput } from './latency'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('measureLatency', () => {
  it('times each call after the warm-up calls, cycling through the inputs', async () => {
    const seen: number[] = []
    const { samplesMs, summary } = await measureLatency(
      async (input: number) => {
        seen.push(input)
        await sleep(input)
      },
      [2, 12],
      { warmup: 1, runs: 4 },
    )
    expect(seen).toEqual([2, 2, 12, 2, 12])
    expect(samplesMs).toHaveLength(4)
    expect(summary.count).toBe(4)
    expect(summary.p50Ms).toBeGreaterThanOrEqual(1.5)
    expect(summary.maxMs).toBeGreaterThanOrEqual(11)
  })
})

describe('measureThroughput', () => {
  it('reports examples per second at the given batch size', async () => {
    const batchSizes: number[] = []
    const result = await measureThroughput(
      async (batch: string[]) => {
        batchSizes.push(batch.length)
        await sleep(10)
      },
      ['a', 'b', 'c'],
      { batchSize: 4, warmup: 1, runs: 5 },
    )
    expect(batchSizes).toEqual([4, 4, 4, 4, 4, 4])
    expect(result.examples).toBe(20)
    expect(result.examplesPerSecond).toBeGreaterThan(0)
    expect(result.examplesPerSecond).toBeLessThan(20 / 0.045) // five calls of ≥10 ms each
  })
})
