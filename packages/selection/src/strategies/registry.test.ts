import { describe, expect, it } from 'vitest'
import { SELECTION_STRATEGIES, selectBatch, STRATEGY_NAMES } from './registry'
import type { PoolOutputs } from '../types'

/** A pool with every output a strategy may need, from a seeded generator. */
function fullPool(size: number, classCount: number): PoolOutputs {
  let state = 1
  const next = () => ((state = (state * 16807) % 2147483647) / 2147483647)
  const distribution = () => {
    const raw = Array.from({ length: classCount }, next)
    const sum = raw.reduce((a, b) => a + b, 0)
    return raw.map((value) => value / sum)
  }
  return {
    size,
    classCount,
    probabilities: Float32Array.from(Array.from({ length: size }, distribution).flat()),
    dropoutSamples: [0, 1, 2].map(() => Float32Array.from(Array.from({ length: size }, distribution).flat())),
    embeddings: { dimension: 3, values: Float32Array.from({ length: size * 3 }, next) },
    featureNorms: Float32Array.from({ length: size }, next),
    headInputs: {
      rowCount: size,
      columnCount: 2,
      rowStarts: Int32Array.from({ length: size + 1 }, (_, row) => row * 2),
      columns: Int32Array.from({ length: size * 2 }, (_, entry) => entry % 2),
      values: Float64Array.from({ length: size * 2 }, next),
    },
  }
}

describe('the strategy registry', () => {
  it('names each strategy by its own name', () => {
    for (const [name, strategy] of Object.entries(SELECTION_STRATEGIES)) expect(strategy.name).toBe(name)
  })

  it.each(STRATEGY_NAMES)('%s returns the batch size of distinct unlabelled rows, and all that is left at the end', (name) => {
    const pool = fullPool(40, 4)
    const labeled = new Uint8Array(40)
    for (let index = 0; index < 40; index += 3) labeled[index] = 1
    const chosen = selectBatch(name, { pool, labeled, batchSize: 7, seed: 3 })
    expect(new Set(chosen).size).toBe(7)
    expect(chosen.every((index) => !labeled[index])).toBe(true)
    const almostAll = Uint8Array.from(labeled).fill(1)
    almostAll[5] = 0
    almostAll[7] = 0
    expect(selectBatch(name, { pool, labeled: almostAll, batchSize: 7, seed: 3 }).sort()).toEqual([5, 7])
  })

  it('says which output a strategy lacks', () => {
    expect(() => selectBatch('core-set', { pool: { size: 3, classCount: 2 }, labeled: new Uint8Array(3), batchSize: 1, seed: 0 })).toThrow(/core-set strategy needs the pool's embeddings/)
    expect(() => selectBatch('nope', { pool: { size: 3, classCount: 2 }, labeled: new Uint8Array(3), batchSize: 1, seed: 0 })).toThrow(/unknown selection strategy/)
  })
})
