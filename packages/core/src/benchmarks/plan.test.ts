import { describe, expect, it } from 'vitest'
import { ProblemError } from '../errors'
import { groupRunsByJobKind, planRuns } from './plan'
import { benchmarkSpecSchema } from './spec'

const plan = (input: unknown) => planRuns(benchmarkSpecSchema.parse(input))

describe('planRuns', () => {
  it('expands each arm into the cartesian product of its grid times the seeds', () => {
    const runs = plan({ arms: [{ method: 'lora', config: { lora_dropout: 0.1 }, grid: { r: [4, 8], lora_alpha: [8, 16] } }], protocol: { seeds: [1, 2] } })
    expect(runs).toHaveLength(8)
    expect(runs.map((run) => run.ordinal)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(runs[0]!.config).toMatchObject({ method: 'lora', hyperparameters: { lora_dropout: 0.1, r: 4, lora_alpha: 8 }, seed: 1, epochs: 3 })
    expect(new Set(runs.map((run) => JSON.stringify(run.config))).size).toBe(8)
  })

  it('refuses an unknown method and names the known ones', () => {
    expect(() => plan({ arms: [{ method: 'lora2' }] })).toThrow(/not a known method; use one of: random, majority, tfidf-logreg/)
  })

  it('refuses hyperparameters the method does not have, with the arm in the path', () => {
    try {
      plan({ arms: [{ method: 'majority' }, { method: 'lora', grid: { rank: [4] } }] })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemError)
      expect((error as ProblemError).errors?.[0]?.path).toBe('arms.1.config')
    }
  })

  it('stops at maxRuns', () => {
    expect(() => plan({ arms: [{ method: 'lora', grid: { r: [1, 2, 3, 4] } }], budget: { maxRuns: 3 } })).toThrow(/budget.maxRuns=3/)
  })

  it('groups runs into one job per job kind', () => {
    const groups = groupRunsByJobKind(plan({ arms: [{ method: 'majority' }, { method: 'full' }, { method: 'random' }] }))
    expect([...groups].map(([kind, runs]) => [kind, runs.map((run) => run.method)])).toEqual([['baseline', ['majority', 'random']], ['train', ['full']]])
  })
})

describe('an arm that sets epochs', () => {
  it('overrides the protocol epochs for its runs only', () => {
    const runs = plan({ arms: [{ method: 'mlm-pretrain', config: { epochs: 5 } }, { method: 'lora' }], protocol: { epochs: 2 } })
    expect(runs.map((run) => run.config.epochs)).toEqual([5, 2])
    expect(runs[0]!.config.hyperparameters).toEqual({})
  })
})
