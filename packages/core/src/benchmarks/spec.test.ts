import { describe, expect, it } from 'vitest'
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
    expect(issues({ constraints: { maxLatency: 50 } })[0]).toMatch(/^constraints: Unrecognized key: "maxLatency"/)
    expect(issues({ budget: { maxGpuHours: 0 } })[0]).toMatch(/^budget.maxGpuHours: /)
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
