import { describe, expect, it } from 'vitest'
import { memorySnapshot, PeakMemoryTracker } from './memory'

describe('memorySnapshot', () => {
  it('reports the process RSS and V8 heap in bytes', () => {
    const snapshot = memorySnapshot()
    expect(snapshot.rssBytes).toBeGreaterThan(10 * 2 ** 20)
    expect(snapshot.heapUsedBytes).toBeGreaterThan(0)
    expect(snapshot.heapUsedBytes).toBeLessThan(snapshot.rssBytes)
  })
})

describe('PeakMemoryTracker', () => {
  it('keeps the peak of a buffer that is freed before stop()', async () => {
    const before = memorySnapshot().rssBytes
    const tracker = new PeakMemoryTracker(5)
    await holdBriefly(200 * 2 ** 20)
    const peak = tracker.stop()
    expect(peak).toBeGreaterThan(before + 150 * 2 ** 20)
  })
})

/** Touches `bytes` of memory (so it is resident) for long enough to be sampled, then lets it go. */
async function holdBriefly(bytes: number): Promise<void> {
  const buffer = new Uint8Array(bytes).fill(1)
  await new Promise((resolve) => setTimeout(resolve, 30))
  expect(buffer[bytes - 1]).toBe(1)
}
