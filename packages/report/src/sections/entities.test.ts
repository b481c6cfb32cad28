import { buildComparison, parseRunConfig, type RunRow, type SlotRunSummary } from '@bankbench/core'
import { describe, expect, it } from 'vitest'
import { sampleReportData } from '../testing/sample-report'
import { entitiesSection } from './entities'
import { resultsSection } from './results'

const INTENT_FIGURES = ['accuracy', 'macroF1', 'validationAccuracy']

/** A finished slots run with the given span F1 and per-slot F1 (amount, date). */
function slotRun(ordinal: number, method: 'slots-rules' | 'slots-lora', micro: number, amountF1: number, dateF1: number): RunRow {
  const rules = method === 'slots-rules'
  const summary: SlotRunSummary = {
    task: 'slot-filling', dataset: 'nlupp-banking', folds: { train: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], validation: [14], test: [15, 16, 17, 18, 19] },
    entityMicroF1: micro, entityMacroF1: (amountF1 + dateF1) / 2, entityMicroPrecision: micro, entityMicroRecall: micro,
    perSlot: [
      { type: 'amount_of_money', precision: amountF1, recall: amountF1, f1: amountF1, support: 26, predicted: 26 },
      { type: 'date', precision: dateF1, recall: dateF1, f1: dateF1, support: 57, predicted: 57 },
    ],
    validationEntityMicroF1: rules ? null : 0.5, testUtterances: 520, goldEntities: 83,
    latencyP50Ms: 1, latencyP95Ms: 2, latency: { count: 200, meanMs: 1, p50Ms: 1, p95Ms: 2, p99Ms: 3, maxMs: 4 }, throughputPerSecond: 900,
    trainSeconds: rules ? 0.1 : 120, trainExamples: 1450, epochsCompleted: rules ? null : 20, bestEpoch: rules ? null : 12,
    trainableParameters: rules ? null : 90_000, totalParameters: rules ? null : 2_500_000, trainableRatio: rules ? null : 0.036,
    peakRssBytes: 2 ** 28, peakTensorBytes: rules ? null : 2 ** 24, peakGpuMemoryBytes: null, adapterBytes: rules ? null : 360_000, modelBytes: 10_000, backend: rules ? null : 'wasm',
    ...(rules ? {} : { intentMicroF1: 0.62, intentMacroF1: 0.4, intentSubsetAccuracy: 0.3, intentValidationMicroF1: 0.6, intentTrainSeconds: 100 }),
    notApplicable: rules ? [...INTENT_FIGURES, 'intentMicroF1', 'intentMacroF1', 'intentSubsetAccuracy', 'intentValidationMicroF1', 'trainableParameters'] : INTENT_FIGURES,
  }
  const base = sampleReportData().runs[0]!
  return {
    ...base, id: `run_slots${ordinal}`, ordinal: 100 + ordinal, method, seed: 42, summary,
    config: parseRunConfig({ method, hyperparameters: {}, seed: 42, epochs: 20, trainSubset: null, testSet: 'official', arm: ordinal }),
  }
}

describe('the entity extraction section', () => {
  it('is absent from a benchmark without slot-filling runs', () => {
    expect(entitiesSection(sampleReportData())).toBeNull()
  })

  it('tabulates span F1 per run and per slot type, and says where the folds came from', () => {
    const data = sampleReportData()
    data.runs.push(slotRun(0, 'slots-rules', 0.715, 0.94, 0.82), slotRun(1, 'slots-lora', 0.4, 0.5, 0.3))
    const section = entitiesSection(data)!
    const markup = section.body.value
    expect(section.title).toBe('Entity extraction')
    expect(markup).toContain('scored on the held-out folds 15, 16, 17, 18, 19')
    expect(markup).toMatch(/<td[^>]*>slots-rules \(seed 42\)<\/td><td class="num">71.50%<\/td><td class="num">88.00%<\/td>/)
    expect(markup).toMatch(/<td[^>]*>amount_of_money<\/td><td class="num">26<\/td><td class="num">94.00%<\/td><td class="num">50.00%<\/td>/)
    // The rules baseline trains nothing: not applicable, not a missing number.
    expect(markup).toMatch(/<td[^>]*>slots-rules \(seed 42\)<\/td>(<td class="num">[^<]*<\/td>){7}<td class="num">not applicable<\/td>/)
    // NLU++'s multi-label intents: the tagger arm's classifier scores micro-F1; the rules baseline has none.
    expect(markup).toMatch(/<td[^>]*>slots-lora \(seed 42\)<\/td>(<td class="num">[^<]*<\/td>){3}<td class="num">62.00%<\/td>/)
    expect(markup).toMatch(/<td[^>]*>slots-rules \(seed 42\)<\/td>(<td class="num">[^<]*<\/td>){3}<td class="num">not applicable<\/td>/)
  })

  it('marks intent figures of slot runs, and entity F1 of intent runs, as not applicable in the results', () => {
    const data = sampleReportData()
    data.runs.push(slotRun(0, 'slots-rules', 0.715, 0.94, 0.82))
    data.comparison = buildComparison(data.benchmark, data.runs)
    const markup = resultsSection(data).body.value
    expect(markup).toMatch(/<td[^>]*>slots-rules<\/td><td[^>]*><code>default<\/code><\/td><td class="num">42<\/td><td[^>]*><span class="status succeeded">succeeded<\/span><\/td><td class="num">not applicable<\/td><td class="num">not applicable<\/td><td class="num">71.50%<br><span class="sd">88.00%<\/span><\/td>/)
    expect(markup).toMatch(/<td[^>]*>tfidf-logreg<\/td>.*?<td class="num">not applicable<\/td>/)
  })
})
