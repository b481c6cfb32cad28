import { describe, expect, it } from 'vitest'
import { batchesPerEpoch, makeBatches } from './batches'

const examples = Array.from({ length: 1000 }, (_, id) => ({ id, length: 1 + ((id * 37) % 64) }))
const lengthOf = (example: { length: number }): number => example.length

describe('makeBatches', () => {
  it('covers every example exactly once per epoch, in batches of the requested size', () => {
    const batches = makeBatches(examples, 32, 42, 0, lengthOf)
    expect(batches).toHaveLength(batchesPerEpoch(examples.length, 32))
    expect(batches.flat().map((example) => example.id).sort((a, b) => a - b)).toEqual(examples.map((example) => example.id))
    expect(batches.filter((batch) => batch.length !== 32)).toHaveLength(1) // 1000 = 31·32 + 8
  })

  it('is a pure function of (seed, epoch), and differs between epochs and seeds', () => {
    const ids = (seed: number, epoch: number) => makeBatches(examples, 32, seed, epoch, lengthOf).map((batch) => batch.map((example) => example.id))
    expect(ids(42, 3)).toEqual(ids(42, 3))
    expect(ids(42, 3)).not.toEqual(ids(42, 4))
    expect(ids(42, 3)).not.toEqual(ids(43, 3))
  })

  it('groups similar lengths so batches need far less padding than a plain shuffle', () => {
    const paddedTokens = (batches: { length: number }[][]) =>
      batches.reduce((sum, batch) => sum + batch.length * Math.max(...batch.map(lengthOf)), 0)
    const grouped = paddedTokens(makeBatches(examples, 32, 42, 0, lengthOf))
    const plain = paddedTokens(makeBatches(examples, 32, 42, 0))
    const realTokens = examples.reduce((sum, example) => sum + example.length, 0)
    expect(grouped).toBeLessThan(realTokens * 1.2)
    expect(plain).toBeGreaterThan(realTokens * 1.8)
  })

  it('rejects a batch size that is not a positive integer', () => {
    expect(() => makeBatches(examples, 0, 1, 0)).toThrow(/positive integer/)
  })
})
