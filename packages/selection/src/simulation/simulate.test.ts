import { describe, expect, it } from 'vitest'
import { STRATEGY_NAMES } from '../strategies/registry'
import { labelSchedule, stratifiedSeedSet } from './schedule'
import { fullDataScores, simulateSelection, type SimulationInput, type SimulationState } from './simulate'
import { gaussianBlobs } from './testing'

const CLASSES = 4
const problem = gaussianBlobs({ classCount: CLASSES, dimension: 8, pool: 400, test: 200, noise: 2.5, seed: 11 })

function input(strategy: string, seed = 3): SimulationInput {
  return {
    ...problem,
    classCount: CLASSES,
    strategy,
    schedule: labelSchedule(8, 120, 5),
    seedSet: stratifiedSeedSet(problem.poolTargets, CLASSES, 2, seed),
    seed,
    learner: { C: 1, maxIterations: 50 },
    dropout: { samples: 4, rate: 0.3 },
  }
}

class Interrupted extends Error {}

describe('simulateSelection', () => {
  it('labels the schedule\'s rows, distinct, seed set first, and scores every round', async () => {
    const state = await simulateSelection(input('margin'))
    expect(state.rounds.map((round) => round.labels)).toEqual(labelSchedule(8, 120, 5))
    expect(new Set(state.labeled).size).toBe(120)
    expect(state.labeled.slice(0, 8)).toEqual(input('margin').seedSet)
    expect(state.rounds[0]!.selectionSeconds).toBe(0)
    for (const round of state.rounds) {
      expect(round.accuracy).toBeGreaterThan(1 / CLASSES)
      expect(round.macroF1).toBeGreaterThan(0)
    }
  })

  it.each(STRATEGY_NAMES)('%s: a run interrupted after round 2 and resumed from its saved state ends on the same curve as an uninterrupted one', async (strategy) => {
    const uninterrupted = await simulateSelection(input(strategy))
    let saved: string | null = null
    await expect(simulateSelection({
      ...input(strategy),
      onRound: (state) => {
        // What a job stores after each round: JSON, read back by the retried attempt.
        saved = JSON.stringify(state)
        if (state.rounds.length === 2) throw new Interrupted('stopped after round 2')
      },
    })).rejects.toThrow(Interrupted)
    const resumed = await simulateSelection({ ...input(strategy), resumeFrom: JSON.parse(saved!) as SimulationState })
    const curve = (state: SimulationState) => state.rounds.map(({ labels, accuracy, macroF1 }) => ({ labels, accuracy, macroF1 }))
    expect(curve(resumed)).toEqual(curve(uninterrupted))
    expect(resumed.labeled).toEqual(uninterrupted.labeled)
  })

  it('draws BALD\'s samples from the encoder\'s dropout views where the features carry them, not from dropout on the head', async () => {
    // Views identical to the pool: no disagreement anywhere, every row scores 0 and the lowest unlabelled indices come first.
    const views = await simulateSelection({ ...input('bald'), features: { ...problem.features, dropoutPool: [problem.features.pool, problem.features.pool] } })
    const schedule = labelSchedule(8, 120, 5)
    const seedSet = new Set(input('bald').seedSet)
    const lowest = Array.from({ length: 400 }, (_, row) => row).filter((row) => !seedSet.has(row)).slice(0, schedule[1]! - 8)
    expect(views.labeled.slice(8, schedule[1])).toEqual(lowest)
    const head = await simulateSelection(input('bald'))
    expect(head.labeled.slice(8, schedule[1])).not.toEqual(lowest)
  })

  it('refuses a saved state from another simulation', async () => {
    const state = await simulateSelection({ ...input('random'), schedule: labelSchedule(8, 120, 5).slice(0, 2) })
    await expect(simulateSelection({ ...input('entropy'), resumeFrom: state })).rejects.toThrow(/does not belong/)
  })

  it('gives different seeds different selections, and the full-data head beats the seed set\'s', async () => {
    const [a, b] = await Promise.all([simulateSelection(input('random', 1)), simulateSelection(input('random', 2))])
    expect(a.labeled).not.toEqual(b.labeled)
    const full = fullDataScores({ ...problem, classCount: CLASSES, learner: { C: 1, maxIterations: 50 } })
    expect(full.accuracy).toBeGreaterThan(a.rounds[0]!.accuracy)
  })
})

describe('the seed set and the schedule', () => {
  it('takes the same number of rows from every class', () => {
    const seedSet = stratifiedSeedSet(problem.poolTargets, CLASSES, 3, 5)
    const perClass = new Array<number>(CLASSES).fill(0)
    for (const row of seedSet) perClass[problem.poolTargets[row]!]!++
    expect(perClass).toEqual([3, 3, 3, 3])
    expect(stratifiedSeedSet(problem.poolTargets, CLASSES, 3, 6)).not.toEqual(seedSet)
  })

  it('spaces rounds geometrically from the seed set to the budget', () => {
    expect(labelSchedule(100, 1600, 5)).toEqual([100, 200, 400, 800, 1600])
    expect(labelSchedule(77, 77, 3)).toEqual([77])
    expect(() => labelSchedule(100, 50, 3)).toThrow(/budget/)
  })
})
