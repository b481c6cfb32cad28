import { describe, expect, it } from 'vitest'
import { buildComparison, configLabel, peakMemory } from './comparison'
import { comparisonToCsv } from './csv'
import { seedStat } from './stats'
import { BENCHMARK, syntheticRun, trainSummary } from './testing/synthetic-runs'

describe('seedStat', () => {
  it('gives the mean and the sample standard deviation, ignoring unmeasured values', () => {
    expect(seedStat([0.8, 0.9, null, 1.0])).toEqual({ mean: 0.9, std: expect.closeTo(0.1, 12), n: 3 })
    expect(seedStat([0.7])).toEqual({ mean: 0.7, std: 0, n: 1 })
    expect(seedStat([null])).toBeNull()
  })
})

describe('configLabel and peakMemory', () => {
  it('spells out the hyperparameters in key order', () => {
    expect(configLabel({ hyperparameters: { r: 8, lora_alpha: 16, target_modules: ['query', 'value'] } })).toBe('lora_alpha=16, r=8, target_modules=query+value')
    expect(configLabel({ hyperparameters: {} })).toBe('default')
  })

  it('reads process peak RSS for every run, never GPU or tensor memory, so runs compare like for like', () => {
    expect(peakMemory({ peakGpuMemoryBytes: 3, peakTensorBytes: 2, peakRssBytes: 1 })).toEqual({ bytes: 1, source: 'rss' })
    expect(peakMemory({ peakRssBytes: 1 })).toEqual({ bytes: 1, source: 'rss' })
    expect(peakMemory({ peakGpuMemoryBytes: 3, peakTensorBytes: 2 })).toBeNull()
    expect(peakMemory(null)).toBeNull()
  })
})

describe('buildComparison', () => {
  const full = syntheticRun('full', {}, trainSummary({ trainableParameters: 1_000_000 }))
  const loraSeeds = [
    syntheticRun('lora', { r: 8 }, trainSummary({ validationAccuracy: 0.90, accuracy: 0.88 }), { seed: 1 }),
    syntheticRun('lora', { r: 8 }, trainSummary({ validationAccuracy: 0.92, accuracy: 0.90 }), { seed: 2 }),
  ]
  // Better on test but worse on validation: must not be chosen.
  const loraTestFavourite = syntheticRun('lora', { r: 4 }, trainSummary({ validationAccuracy: 0.89, accuracy: 0.99, trainableParameters: 5_000 }))
  const failed = syntheticRun('lora', { r: 16 }, null, { status: 'failed' })
  const baseline = syntheticRun('tfidf-logreg', {}, { accuracy: 0.91, validationAccuracy: 0.9, trainSeconds: 30, peakRssBytes: 1e9, latencyP50Ms: 0.2 })
  const comparison = buildComparison(BENCHMARK, [baseline, full, ...loraSeeds, loraTestFavourite, failed], { instanceType: 'g5.xlarge', pricing: 'on-demand' })

  it('has one row per run in plan order, with parameter reduction against the full run', () => {
    expect(comparison.runs.map((row) => row.runId)).toEqual([full, ...loraSeeds, loraTestFavourite, failed, baseline].map((run) => run.id))
    const lora = comparison.runs.find((row) => row.runId === loraTestFavourite.id)!
    expect(lora).toMatchObject({
      method: 'lora', configLabel: 'r=4', parameterReduction: 200, parameterReductionBasis: 'full-run', memorySource: 'rss', peakMemoryBytes: 1.5 * 1024 ** 3, peakTensorBytes: 500 * 1024 ** 2, peakGpuMemoryBytes: null,
    })
    expect(lora.cost!.dollars).toBeCloseTo(1.006, 10)
    const failedRow = comparison.runs.find((row) => row.runId === failed.id)!
    expect(failedRow).toMatchObject({ status: 'failed', accuracy: null, cost: null })
    expect(comparison.runs.find((row) => row.runId === baseline.id)).toMatchObject({ parameterReduction: null, memorySource: 'rss', peakMemoryBytes: 1e9, peakTensorBytes: null, peakGpuMemoryBytes: null })
  })

  it('measures parameter reduction against the total parameters when no full run exists', () => {
    const alone = buildComparison(BENCHMARK, [loraSeeds[0]!])
    expect(alone.runs[0]).toMatchObject({ parameterReduction: 100, parameterReductionBasis: 'total-parameters' })
    // Without an instance type, a run of the local runner is priced as the local machine.
    expect(alone.runs[0]!.cost).toMatchObject({ instanceType: 'local', pricing: 'on-demand' })
  })

  it("picks each method's best configuration by validation accuracy, with mean and std over seeds", () => {
    const lora = comparison.methods.find((row) => row.method === 'lora')!
    expect(lora).toMatchObject({ configLabel: 'r=8', selectedBy: 'validationAccuracy', runIds: loraSeeds.map((run) => run.id), seeds: [1, 2] })
    expect(lora.validationAccuracy!.mean).toBeCloseTo(0.91, 12)
    expect(lora.accuracy!.mean).toBeCloseTo(0.89, 12)
    expect(lora.accuracy!.std).toBeCloseTo(Math.SQRT2 * 0.01, 12)
    expect(lora.accuracy!.n).toBe(2)
    expect(comparison.methods.map((row) => row.method)).toEqual(['full', 'lora', 'tfidf-logreg'])
  })

  it('exports the runs and the methods as CSV', () => {
    const runs = comparisonToCsv(comparison, 'runs').split('\r\n')
    expect(runs[0]).toMatch(/^run_id,method,config,seed,status,trainable_parameters,parameter_reduction/)
    expect(runs).toHaveLength(comparison.runs.length + 2)
    const labelled = comparisonToCsv(buildComparison(BENCHMARK, [syntheticRun('lora', { r: 8, lora_alpha: 16 }, trainSummary())]))
    expect(labelled.split('\r\n')[1]).toContain(',"lora_alpha=16, r=8",')
    const methods = comparisonToCsv(comparison, 'methods').split('\r\n')
    expect(methods[0]).toContain('accuracy_mean,accuracy_std')
    expect(methods[2]!.startsWith('lora,r=8,2,')).toBe(true)
  })
})

describe('buildComparison with slot-filling runs', () => {
  it('carries span F1 and says which figures do not apply, separately from unmeasured ones', () => {
    const rules = syntheticRun('slots-rules', {}, { entityMicroF1: 0.71, entityMacroF1: 0.55, latencyP50Ms: 0.1, peakRssBytes: 2e8, notApplicable: ['accuracy', 'macroF1', 'validationAccuracy', 'trainableParameters'] }, { ordinal: 0 })
    const lora = syntheticRun('slots-lora', {}, { entityMicroF1: 0.4, entityMacroF1: 0.2, trainableParameters: 1000, notApplicable: ['accuracy', 'macroF1', 'validationAccuracy'] }, { ordinal: 1 })
    const intent = syntheticRun('lora', {}, trainSummary({ accuracy: 0.9 }), { ordinal: 2 })
    const comparison = buildComparison(BENCHMARK, [rules, lora, intent])
    const [rulesRow, loraRow, intentRow] = comparison.runs
    expect(rulesRow).toMatchObject({ entityMicroF1: 0.71, entityMacroF1: 0.55, accuracy: null, trainableParameters: null })
    // The rules run no tensor backend: GPU memory does not apply to them either; nor does the banking rubric (not an intent classifier).
    expect(rulesRow!.notApplicable).toEqual(['accuracy', 'macroF1', 'validationAccuracy', 'trainableParameters', 'relevanceScore', 'securityScore', 'peakGpuMemoryBytes'])
    expect(loraRow!.notApplicable).not.toContain('trainableParameters')
    // An intent run has no span F1 and nothing marked not applicable but the GPU memory of a wasm run: its nulls are unmeasured.
    expect(intentRow).toMatchObject({ entityMicroF1: null, notApplicable: ['peakGpuMemoryBytes'] })
    const rulesMethod = comparison.methods.find((method) => method.method === 'slots-rules')!
    expect(rulesMethod.entityMicroF1).toEqual({ mean: 0.71, std: 0, n: 1 })
    expect(rulesMethod.notApplicable).toContain('accuracy')
  })
})

describe('figures that do not apply', () => {
  it('come from the summary and from the method kind, for summaries that predate the list', () => {
    const pretrain = syntheticRun('mlm-pretrain', {}, { trainSeconds: 100, peakRssBytes: 1e9 }, { ordinal: 0 })
    const majority = syntheticRun('majority', {}, { accuracy: 0.01, latencyP50Ms: 0.01 }, { ordinal: 1 })
    const lora = syntheticRun('lora', {}, trainSummary({}), { ordinal: 2 })
    const [pretrainRow, majorityRow, loraRow] = buildComparison(BENCHMARK, [pretrain, majority, lora]).runs
    expect(pretrainRow!.notApplicable).toEqual(expect.arrayContaining(['accuracy', 'latencyP50Ms', 'throughputPerSecond']))
    // GPU memory: not for a run without a tensor backend or on a CPU-only one (wasm); a tensorflow run says itself.
    expect(majorityRow!.notApplicable).toEqual(['trainableParameters', 'adapterBytes', 'peakGpuMemoryBytes'])
    expect(loraRow!.notApplicable).toEqual(['peakGpuMemoryBytes'])
    const onGpu = buildComparison(BENCHMARK, [
      syntheticRun('lora', {}, trainSummary({ backend: 'tensorflow', peakGpuMemoryBytes: null })),
      syntheticRun('lora', {}, trainSummary({ backend: 'tensorflow', peakGpuMemoryBytes: 2 ** 30 })),
      syntheticRun('lora', {}, trainSummary({ backend: 'tensorflow', peakGpuMemoryBytes: null, notApplicable: ['peakGpuMemoryBytes'] })),
    ]).runs
    expect(onGpu.map((row) => row.notApplicable)).toEqual([[], [], ['peakGpuMemoryBytes']])
  })
})
