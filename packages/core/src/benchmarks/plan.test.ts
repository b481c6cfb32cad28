import { describe, expect, it } from 'vitest'
import { ProblemError } from '../errors'
import { countPlannedRuns, groupRunsByJobKind, planRuns } from './plan'
import { benchmarkSpecSchema } from './spec'
import { JOB_DEPENDENCIES, jobKindRank } from '../jobs/job-queue'

const plan = (input: unknown) => planRuns(benchmarkSpecSchema.parse(input))
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

describe('planRuns: hybrid arms', () => {
  it('plans a hybrid arm beside the arm of its classifier, in a job of its own after the train and baseline jobs', () => {
    const runs = plan({ arms: [
      { method: 'hybrid', config: { classifier: 'lora', store: 'faiss', index_settings: { factory: 'HNSW32' }, metric: 'l2' }, grid: { k: [5, 10] } },
      { method: 'lora' }, { method: 'tfidf-logreg' }, { method: 'mlm-pretrain' },
    ] })
    expect(runs.filter((run) => run.method === 'hybrid').map((run) => run.config.hyperparameters)).toEqual([
      { classifier: 'lora', store: 'faiss', index_settings: { factory: 'HNSW32' }, metric: 'l2', k: 5 },
      { classifier: 'lora', store: 'faiss', index_settings: { factory: 'HNSW32' }, metric: 'l2', k: 10 },
    ])
    expect([...groupRunsByJobKind(runs).keys()]).toEqual(['pretrain', 'train', 'baseline', 'hybrid'])
    expect(jobKindRank('hybrid')).toBeGreaterThan(Math.max(jobKindRank('train'), jobKindRank('baseline')))
    expect(JOB_DEPENDENCIES.hybrid).toEqual(['pretrain', 'train', 'baseline', 'embed', 'index'])
  })

  it('refuses a hybrid arm whose classifier method has no arm in the benchmark, or names no classifier or store', () => {
    expect(() => plan({ arms: [{ method: 'hybrid', config: { classifier: 'lora', store: 'exact' } }, { method: 'tfidf-logreg' }] }))
      .toThrow(/mixes the classifier of a lora run, but the benchmark has no lora arm/)
    expect(() => plan({ arms: [{ method: 'hybrid', config: { store: 'exact' } }] })).toThrow(/names its classifier/)
    expect(() => plan({ arms: [{ method: 'hybrid', config: { classifier: 'majority', classifier_run: 'run_x', store: 'exact' } }, { method: 'majority' }] })).toThrow(/one of them/)
    expect(() => plan({ arms: [{ method: 'hybrid', config: { classifier_run: 'run_x' } }] })).toThrow(/names its store/)
    expect(() => plan({ arms: [{ method: 'hybrid', config: { classifier: 'llm-api', store: 'exact' } }, { method: 'llm-api' }] })).toThrow(/classifier/)
    expect(() => plan({ arms: [{ method: 'hybrid', config: { classifier_run: 'run_x', store: 'exact', weight: 1.5 } }] })).toThrow(/weight/)
  })

  it('needs no classifier arm for a finished run named by id', () => {
    expect(plan({ arms: [{ method: 'hybrid', config: { classifier_run: 'run_abc', store: 'usearch', weight: 0.3, k: 5 } }] })[0]!.jobKind).toBe('hybrid')
  })
})

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
      expect((error as ProblemError).errors?.[0]?.path).toBe('arms.1.grid')
    }
  })

  it('names a misspelled hyperparameter with the nearest one, in config or grid', () => {
    const problem = (input: unknown) => {
      try {
        plan(input)
      } catch (error) {
        return error as ProblemError
      }
      throw new Error('planned')
    }
    expect(problem({ arms: [{ method: 'lora', config: { lora_alpah: 8 } }] }).errors).toEqual([
      { path: 'arms.0.config', message: "unknown hyperparameter 'lora_alpah' of lora in arms[0].config; did you mean 'lora_alpha'?" },
    ])
    expect(problem({ arms: [{ method: 'majority' }, { method: 'qlora', grid: { bnb_4bit_quant_typ: ['nf4'] } }] }).message).toContain("did you mean 'bnb_4bit_quant_type'?")
    expect(problem({ arms: [{ method: 'lroa' }] }).message).toContain("did you mean 'lora'?")
  })

  it('stops at maxRuns', () => {
    expect(() => plan({ arms: [{ method: 'lora', grid: { r: [1, 2, 3, 4] } }], budget: { maxRuns: 3 } })).toThrow(/4 runs .* more than budget.maxRuns=3/)
  })

  it('counts a huge grid before expanding it, and refuses it with the count and the limit', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1)
    const grid = Object.fromEntries(['r', 'lora_alpha', 'batch_size', 'max_length', 'epochs', 'num_virtual_tokens'].map((key) => [key, values]))
    const spec = benchmarkSpecSchema.parse({ arms: [{ method: 'lora', grid }], protocol: { seeds: [1, 2] } })
    expect(countPlannedRuns(spec)).toBe(20 ** 6 * 2)
    const started = performance.now()
    // Unknown hyperparameters are named first, still before any expansion...
    expect(() => planRuns(spec)).toThrow(/unknown hyperparameter 'num_virtual_tokens' of lora/)
    // ...and a grid of known ones is refused by its size.
    const { num_virtual_tokens: _notLora, ...loraGrid } = grid
    const known = benchmarkSpecSchema.parse({ arms: [{ method: 'lora', grid: { ...loraGrid, warmup_ratio: values.map((v) => v / 100) } }] })
    expect(() => planRuns(known)).toThrow('the benchmark expands to 64,000,000 runs (the largest is arms[0]: 20 r x 20 lora_alpha x 20 batch_size x 20 max_length x 20 epochs x 20 warmup_ratio x 1 seed), more than budget.maxRuns=200')
    expect(performance.now() - started).toBeLessThan(500)
  })

  it('with a subsample, refuses a plan over the expansion limit before the draw', () => {
    const spec = benchmarkSpecSchema.parse({ arms: [{ method: 'lora', grid: { r: range(20), lora_alpha: range(20), batch_size: range(20) } }], subsample: { maxRunsPerMethod: 5 }, protocol: { seeds: [1, 2] } })
    expect(countPlannedRuns(spec)).toBe(16_000)
    expect(() => planRuns(spec)).toThrow(/expands to 16,000 runs .*more than the limit of 10,000 runs a plan may expand to before subsampling/)
    const fits = benchmarkSpecSchema.parse({ ...spec, arms: [{ method: 'lora', grid: { r: range(20), lora_alpha: range(20) } }] })
    expect(planRuns(fits)).toHaveLength(5)
  })

  it('expands the grid in the same order as before: the first key varies slowest', () => {
    const runs = plan({ arms: [{ method: 'lora', grid: { r: [4, 8], lora_alpha: [1, 2, 3] } }] })
    expect(runs.map((run) => [(run.config.hyperparameters as { r: number }).r, (run.config.hyperparameters as { lora_alpha: number }).lora_alpha]))
      .toEqual([[4, 1], [4, 2], [4, 3], [8, 1], [8, 2], [8, 3]])
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
