import { describe, expect, it } from 'vitest'
import { buildComparison } from './comparison'
import { constraintsOf, runVerdict } from './constraints'
import { recommend } from './recommend'
import { BENCHMARK, syntheticRun, trainSummary } from './testing/synthetic-runs'
import type { AnalysisRun } from './comparison'

const GiB = 1024 ** 3
const DEFAULTS = constraintsOf({})
const analyse = (runs: AnalysisRun[], constraints = DEFAULTS) => recommend(buildComparison(BENCHMARK, runs), constraints)

describe('constraints', () => {
  it("defaults to the study's criteria and takes overrides", () => {
    expect(DEFAULTS).toEqual({ minAccuracy: 0.88, maxLatencyMs: 50, maxGpuMemoryBytes: 2 * GiB, minParameterReduction: 10, maxTrainingSeconds: 3600 })
    expect(constraintsOf({ constraints: { minAccuracy: 0.9 } }).minAccuracy).toBe(0.9)
  })

  it('checks each constraint with the measured value, at the boundary inclusive', () => {
    const [row] = buildComparison(BENCHMARK, [syntheticRun('lora', {}, trainSummary({
      accuracy: 0.88, latencyP50Ms: 50.5, peakRssBytes: 5 * GiB, peakGpuMemoryBytes: 2 * GiB, trainableParameters: 100_000, totalParameters: 1_000_000, trainSeconds: 3601, backend: 'tensorflow',
    }))]).runs
    const verdict = runVerdict(row!, DEFAULTS)
    expect(Object.fromEntries(verdict.checks.map((check) => [check.constraint, [check.passed, check.state, check.measured]]))).toEqual({
      minAccuracy: [true, 'met', 0.88],
      maxLatencyMs: [false, 'failed', 50.5],
      maxGpuMemoryBytes: [true, 'met', 2 * GiB],
      minParameterReduction: [true, 'met', 10],
      maxTrainingSeconds: [false, 'failed', 3601],
    })
    expect(verdict.meetsAll).toBe(false)
    // The GPU memory of the run's own process, never its RSS.
    expect(verdict.checks.find((check) => check.constraint === 'maxGpuMemoryBytes')!.detail).toBe('peak GPU memory of the run\'s process 2.00 GiB ≤ 2.00 GiB')
    expect(verdict.checks.find((check) => check.constraint === 'maxLatencyMs')!.detail).toBe('median latency per query 50.5 ms > 50.0 ms')
  })

  it('never counts an unmeasured constraint as met', () => {
    // A run on tfjs-node-gpu whose GPU memory nvidia-smi could not attribute: neither tensor memory nor RSS stands in.
    const [row] = buildComparison(BENCHMARK, [syntheticRun('lora', {}, trainSummary({ trainableParameters: null, peakTensorBytes: GiB, peakRssBytes: GiB, backend: 'tensorflow' }))]).runs
    const verdict = runVerdict(row!, DEFAULTS)
    expect(verdict.meetsAll).toBe(false)
    expect(verdict.checks.find((check) => check.constraint === 'minParameterReduction')).toMatchObject({ passed: null, state: 'unmeasured', measured: null, detail: expect.stringMatching(/not measured/) })
    expect(verdict.checks.find((check) => check.constraint === 'maxGpuMemoryBytes')).toMatchObject({ state: 'unmeasured', measured: null, passed: null })
  })

  it('says the GPU-memory criterion does not apply to a run without a GPU, rather than passing it on RSS', () => {
    // What every run on this machine is: the wasm backend, no nvidia-smi, peakGpuMemoryBytes null.
    const onCpu = syntheticRun('lora', {}, trainSummary({ peakRssBytes: 0.5 * GiB, peakGpuMemoryBytes: null, backend: 'wasm', notApplicable: ['peakGpuMemoryBytes'] }))
    // tfjs-node on a CPU: the job lists the figure as not applicable.
    const onTensorflowCpu = syntheticRun('full', {}, trainSummary({ peakRssBytes: 9 * GiB, peakGpuMemoryBytes: null, backend: 'tensorflow', notApplicable: ['peakGpuMemoryBytes'] }))
    for (const row of buildComparison(BENCHMARK, [onCpu, onTensorflowCpu]).runs) {
      const check = runVerdict(row, DEFAULTS).checks.find((item) => item.constraint === 'maxGpuMemoryBytes')!
      expect(check).toMatchObject({ state: 'not-applicable', passed: null, measured: null })
      expect(check.detail).toMatch(/^peak GPU memory of the run's process \(≤ 2.00 GiB\) does not apply: the run used no GPU/)
      expect(row.notApplicable).toContain('peakGpuMemoryBytes')
    }
  })

  it('marks the parameter reduction not applicable to baselines: neither met nor failed', () => {
    const [row] = buildComparison(BENCHMARK, [syntheticRun('tfidf-logreg', {}, { accuracy: 0.91, latencyP50Ms: 1, peakRssBytes: GiB, trainSeconds: 20 })]).runs
    const verdict = runVerdict(row!, DEFAULTS)
    expect(verdict.checks.find((check) => check.constraint === 'minParameterReduction')).toMatchObject({ passed: null, state: 'not-applicable', measured: null, detail: expect.stringMatching(/does not apply/) })
    expect(verdict.checks.filter((check) => check.state !== 'not-applicable').every((check) => check.state === 'met')).toBe(true)
    expect(verdict.meetsAll).toBe(true)
    // TF-IDF runs no tensor backend: no GPU, so GPU memory does not apply either.
    expect(verdict.checks.find((check) => check.constraint === 'maxGpuMemoryBytes')).toMatchObject({ state: 'not-applicable', detail: expect.stringMatching(/does not apply: the run used no GPU/) })
  })
})

describe('recommend', () => {
  // Trained on a GPU (tfjs-node-gpu): their GPU memory is measured; the others ran on wasm, where it does not apply.
  const onGpu = (gibibytes: number) => ({ backend: 'tensorflow', peakGpuMemoryBytes: gibibytes * GiB })
  const full = syntheticRun('full', {}, trainSummary({ trainableParameters: 1_000_000, validationAccuracy: 0.93, accuracy: 0.93, ...onGpu(3) }))
  const lora8 = syntheticRun('lora', { r: 8 }, trainSummary({ validationAccuracy: 0.91, accuracy: 0.905, trainableParameters: 20_000, trainSeconds: 600, ...onGpu(1.5) }))
  const lora4 = syntheticRun('lora', { r: 4 }, trainSummary({ validationAccuracy: 0.90, accuracy: 0.91, trainableParameters: 10_000 }))
  const qlora = syntheticRun('qlora', { r: 8 }, trainSummary({ validationAccuracy: 0.905, accuracy: 0.9, trainableParameters: 20_000, trainSeconds: 900, ...onGpu(0.5) }))
  const ia3 = syntheticRun('ia3', {}, trainSummary({ validationAccuracy: 0.86, accuracy: 0.85, trainableParameters: 2_000 }))
  const recommendation = analyse([full, lora8, lora4, qlora, ia3])

  it('picks the best method that meets every constraint by validation accuracy, with reasons from the data', () => {
    expect(recommendation.best).toMatchObject({ method: 'lora', configLabel: 'r=8', runIds: [lora8.id], meetsAll: true, missedCriteria: [], servable: true })
    expect(recommendation.noneReasons).toEqual([])
    const reasons = recommendation.best!.reasons.join('\n')
    expect(reasons).toContain('It meets all 5 constraints: test accuracy 90.5% ≥ 88.0%')
    expect(reasons).toContain('highest mean validation accuracy (91.0% over 1 run) of the 2 methods that meet every constraint: lora, qlora')
    expect(reasons).toContain('Runner-up: qlora (r=8) at 90.5% validation accuracy')
    // full fails the parameter reduction (1x) and memory; ia3 the accuracy.
    expect(recommendation.methods.filter((verdict) => verdict.meetsAll).map((verdict) => verdict.method)).toEqual(['lora', 'qlora'])
    expect(recommendation.runs).toHaveLength(5)
  })

  it('says why it won a tie on validation accuracy (the bankbench-mini methods preset: TF-IDF and QLoRA both 89.6%): the faster one', () => {
    const tfidf = syntheticRun('tfidf-logreg', {}, { accuracy: 0.911, validationAccuracy: 0.896, latencyP50Ms: 0.19, peakRssBytes: GiB, trainSeconds: 67 })
    const tiedQlora = syntheticRun('qlora', {}, trainSummary({ validationAccuracy: 0.896, accuracy: 0.883, latencyP50Ms: 3.33, trainableParameters: 20_000 }))
    const tied = analyse([tiedQlora, tfidf])
    expect(tied.best).toMatchObject({ method: 'tfidf-logreg', meetsAll: true })
    expect(tied.best!.reasons).toContain('It ties on validation accuracy with qlora and answers faster: median latency 0.19 ms against 3.33 ms (qlora).')
    // No tie, no tie-break reason.
    expect(recommendation.best!.reasons.join('\n')).not.toMatch(/ties on validation accuracy/)
  })

  it('answers the study questions from the data', () => {
    const { optimalLoraRank, qloraWorthIt, bestOverall } = recommendation.questions
    expect(optimalLoraRank).toMatchObject({ enoughData: true, data: { bestRank: 8 } })
    expect(optimalLoraRank.answer).toMatch(/^r=8 is best with 91.0% validation accuracy .*r=4: 90.0%/)
    expect(qloraWorthIt.enoughData).toBe(true)
    expect(qloraWorthIt.answer).toMatch(/^No: LoRA already fits the 2.00 GiB memory limit/)
    expect(qloraWorthIt.data.deltas).toEqual({ accuracyPoints: expect.closeTo(-0.5, 9), trainSecondsRatio: 1.5, memoryRatio: expect.closeTo(1 / 3, 9) })
    expect(bestOverall.answer).toMatch(/^full \(default\) has the highest validation accuracy, 93.0% .* it does not meet every constraint/)
  })

  it('says QLoRA is worth it when only QLoRA fits the memory limit', () => {
    const tight = analyse([lora8, qlora], { ...DEFAULTS, maxGpuMemoryBytes: GiB })
    expect(tight.questions.qloraWorthIt).toMatchObject({ data: { worthIt: true }, answer: expect.stringMatching(/^Yes: only QLoRA fits the 1.00 GiB memory limit/) })
    expect(tight.best).toMatchObject({ method: 'qlora', reasons: expect.arrayContaining(['It is the only method that meets every constraint.']) })
  })

  it('says when there is not enough data', () => {
    const thin = analyse([lora8, ia3])
    expect(thin.questions.optimalLoraRank).toMatchObject({ enoughData: false, answer: expect.stringMatching(/only r=8/) })
    expect(thin.questions.qloraWorthIt.enoughData).toBe(false)
    expect(analyse([]).best).toBeNull()
    expect(analyse([]).noneReasons).toEqual(['No run has succeeded yet.'])
    // Only generators (or slot taggers): nothing to recommend, and the reason says why rather than that nothing succeeded.
    const generator = syntheticRun('generate-full', {}, { exactMatch: 0.7, bleu: 76, notApplicable: ['accuracy'] }, { ordinal: 0 })
    expect(analyse([generator]).best).toBeNull()
    expect(analyse([generator]).noneReasons).toEqual([expect.stringMatching(/^No intent classifier ran: .*generation/)])
  })

  it('when no method meets every criterion, names the most accurate, with what it misses and why none meets all', () => {
    const none = analyse([full, ia3])
    expect(none.best).toMatchObject({ method: 'full', meetsAll: false, missedCriteria: ['maxGpuMemoryBytes', 'minParameterReduction'], servable: true })
    expect(none.best!.reasons[0]).toMatch(/^No method meets every constraint; it has the highest mean validation accuracy \(93.0% over 1 run\) and misses 2 of 5: peak GPU memory/)
    expect(none.candidates.map((candidate) => [candidate.method, candidate.missedCriteria])).toEqual([['full', ['maxGpuMemoryBytes', 'minParameterReduction']], ['ia3', ['minAccuracy']]])
    expect(none.noneReasons).toEqual([
      expect.stringMatching(/^full \(default\): peak GPU memory of the run's process 3.00 GiB > 2.00 GiB; fewer trainable parameters than full fine-tuning 1.00x < 10.0x$/),
      expect.stringMatching(/^ia3 \(default\): test accuracy 85.0% < 88.0%$/),
    ])
    expect(none.rule).toMatch(/validation accuracy .* fewest criteria missed .* median latency/)
  })

  it('ranks a near-chance method that misses one criterion below an accurate one that misses two', () => {
    const prefix = syntheticRun('prefix-tuning', {}, trainSummary({ validationAccuracy: 0.196, accuracy: 0.19, trainableParameters: 2_000 }))
    const accurate = syntheticRun('full', {}, trainSummary({ trainableParameters: 1_000_000, validationAccuracy: 0.73, accuracy: 0.73 }))
    expect(analyse([prefix, accurate]).best).toMatchObject({ method: 'full', meetsAll: false })
  })

  it('ranks by validation accuracy, then by latency', () => {
    const slow = syntheticRun('adapter', {}, trainSummary({ validationAccuracy: 0.8, accuracy: 0.8, latencyP50Ms: 9 }))
    const fast = syntheticRun('ia3', {}, trainSummary({ validationAccuracy: 0.8, accuracy: 0.8, latencyP50Ms: 3 }))
    const better = syntheticRun('lora', {}, trainSummary({ validationAccuracy: 0.85, accuracy: 0.8, latencyP50Ms: 20 }))
    expect(analyse([slow, fast, better]).candidates.map((candidate) => candidate.method)).toEqual(['lora', 'ia3', 'adapter'])
  })

  it('never makes pretraining a candidate; baselines that save a classifier can be served', () => {
    const pretrain = syntheticRun('mlm-pretrain', {}, { trainSeconds: 100, peakRssBytes: GiB, trainableParameters: 1_000_000, totalParameters: 1_000_000 })
    const tfidf = syntheticRun('tfidf-logreg', {}, { validationAccuracy: 0.9, accuracy: 0.9, latencyP50Ms: 1, peakRssBytes: GiB, trainSeconds: 20 })
    const result = analyse([pretrain, tfidf, ia3])
    expect(result.candidates.map((candidate) => [candidate.method, candidate.servable])).toEqual([['tfidf-logreg', true], ['ia3', true]])
    expect([...result.methods, ...result.runs].map((verdict) => verdict.method)).not.toContain('mlm-pretrain')
    expect(result.questions.bestOverall.data.method).toBe('tfidf-logreg')
    expect(result.best).toMatchObject({ method: 'tfidf-logreg', meetsAll: true, servable: true })
    expect(result.best!.reasons).toEqual(expect.arrayContaining([
      expect.stringMatching(/^It meets all 3 constraints that apply to it/),
      expect.stringMatching(/^Not applicable to it: peak GPU memory .*does not apply: the run used no GPU .*; fewer trainable parameters/),
    ]))
    expect(result.best!.reasons.join(' ')).not.toMatch(/cannot be served/)
  })

  it('says when the best method cannot be served (llm-api asks a third party) and which one a deployment serves', () => {
    const llm = syntheticRun('llm-api', {}, { validationAccuracy: 0.95, accuracy: 0.95, latencyP50Ms: 1, peakRssBytes: GiB, trainSeconds: 1 })
    const result = analyse([llm, ia3])
    expect(result.candidates.map((candidate) => [candidate.method, candidate.servable])).toEqual([['llm-api', false], ['ia3', true]])
    expect(result.best).toMatchObject({ method: 'llm-api', servable: false })
    expect(result.best!.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/cannot be served .* serves ia3 \(default\), the best-ranked candidate that can be/)]))
  })
})
