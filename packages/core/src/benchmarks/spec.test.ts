import { describe, expect, it } from 'vitest'
import { issuesToErrors } from '../validation'
import { benchmarkSpecSchema } from './spec'
import { SAMPLE_500, withTestSet } from './test-set'

const parse = (input: Record<string, unknown>) => benchmarkSpecSchema.safeParse({ arms: [{ method: 'majority' }], ...input })
const issues = (input: Record<string, unknown>) => {
  const result = parse(input)
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
}

describe('benchmark spec: constraints, budget, protocol', () => {
  it("applies the study's success criteria and budget by default", () => {
    const spec = benchmarkSpecSchema.parse({ arms: [{ method: 'majority' }] })
    expect(spec.constraints).toEqual({ minAccuracy: 0.88, maxLatencyMs: 50, maxGpuMemoryBytes: 2 * 1024 ** 3, minParameterReduction: 10, maxTrainingSeconds: 3600 })
    expect(spec.budget).toEqual({ maxRuns: 200 })
    expect(spec.protocol).toMatchObject({ testSet: 'official', seeds: [42], epochs: 3 })
    expect(spec.protocol.trainSubset).toBeUndefined()
  })

  it('takes overrides of single constraints and keeps the other defaults', () => {
    const spec = benchmarkSpecSchema.parse({ arms: [{ method: 'majority' }], constraints: { minAccuracy: 0.9 }, budget: { maxGpuHours: 2 }, protocol: { testSet: 'sample500', trainSubset: 1000 } })
    expect(spec.constraints).toMatchObject({ minAccuracy: 0.9, maxLatencyMs: 50 })
    expect(spec.budget).toEqual({ maxRuns: 200, maxGpuHours: 2 })
    expect(spec.protocol).toMatchObject({ testSet: 'sample500', trainSubset: 1000 })
  })

  it('refuses values outside the ranges, naming the field', () => {
    expect(issues({ protocol: { trainSubset: 500 } })).toEqual(['protocol.trainSubset: trainSubset must be at least 1000 rows (the study\'s smallest subset); omit it to train on the full split'])
    expect(issues({ protocol: { trainSubset: 6000 } })[0]).toMatch(/^protocol.trainSubset: trainSubset must be at most 5000 rows/)
    expect(issues({ protocol: { testSet: 'all' } })[0]).toMatch(/^protocol.testSet: /)
    expect(issues({ constraints: { minAccuracy: 88 } })[0]).toMatch(/^constraints.minAccuracy: /)
    expect(issues({ constraints: { maxLatency: 50 } })[0]).toBe("constraints: unknown key 'maxLatency'; did you mean 'maxLatencyMs'?")
    expect(issues({ budget: { maxGpuHours: 0 } })[0]).toMatch(/^budget.maxGpuHours: /)
  })
})

describe('benchmark spec: strict at every level', () => {
  const errors = (input: unknown) => {
    const result = benchmarkSpecSchema.safeParse(input)
    return result.success ? [] : issuesToErrors(result.error.issues)
  }

  it('refuses misspelled keys, naming each with where it is and the nearest known key', () => {
    expect(errors({ arms: [{ method: 'lora', confg: { r: 8 } }], protocl: { seeds: [1] } })).toEqual(expect.arrayContaining([
      { path: 'arms.0', message: "unknown key 'confg' in arms[0]; did you mean 'config'?" },
      { path: '(body)', message: "unknown key 'protocl' in the body; did you mean 'protocol'?" },
    ]))
    expect(errors({ arms: [{ method: 'majority' }], protocol: { seed: [1] } })).toEqual([{ path: 'protocol', message: "unknown key 'seed' in protocol; did you mean 'seeds'?" }])
    expect(errors({ arms: [{ method: 'majority' }], budget: { max_runs: 3, hours: 1 } })).toEqual([{ path: 'budget', message: "unknown key 'max_runs' in budget; did you mean 'maxRuns'?; unknown key 'hours' in budget; the known keys are maxRuns, maxGpuHours" }])
    expect(errors({ preset: 'lora-rank', subsample: { maxRunsPerMethod: 1, sed: 3 } })).toEqual([{ path: 'subsample', message: "unknown key 'sed' in subsample; did you mean 'seed'?" }])
  })

  it('names an unknown key of a preset arm against the preset arm', () => {
    expect(errors({ arms: [{ preset: 'lora-rank', presets: 1 }] })).toEqual([{ path: 'arms.0', message: "unknown key 'presets' in arms[0]; did you mean 'preset'?" }])
  })

  it('refuses control characters in names and other single-line strings', () => {
    for (const input of [{ name: 'bad\u0000name' }, { name: 'two\nlines' }, { dataset: 'banking77\u007f' }, { baseModel: 'file:///tmp/\u001b[31m' }]) {
      expect(errors({ arms: [{ method: 'majority' }], ...input })).toEqual([{ path: Object.keys(input)[0], message: 'must not contain control characters (U+0000 to U+001F, U+007F)' }])
    }
    expect(errors({ arms: [{ method: 'lora\u0000' }] })[0]!.path).toBe('arms.0.method')
    expect(errors({ arms: [{ method: 'lora', grid: { target_modules: [['query\u0000']] } }] })[0]!.path).toBe('arms.0.grid.target_modules.0.0')
    // Printable Unicode is fine.
    expect(errors({ arms: [{ method: 'majority' }], name: 'Étude — LoRA vs QLoRA 🏦' })).toEqual([])
  })
})

describe('withTestSet', () => {
  const splits = { labels: ['a'], train: [], validation: [], test: Array.from({ length: 3080 }, (_, i) => ({ text: `t${i}`, label: 'a' })) }

  it('keeps the official split, or draws the same 500 rows every time', () => {
    expect(withTestSet(splits, 'official')).toBe(splits)
    const sample = withTestSet(splits, 'sample500').test
    expect(sample).toHaveLength(SAMPLE_500.size)
    expect(new Set(sample.map((example) => example.text)).size).toBe(500)
    expect(withTestSet(splits, 'sample500').test).toEqual(sample)
    // Runs planned before the choice existed evaluate on the official split.
    expect(withTestSet(splits, undefined)).toBe(splits)
  })
})
