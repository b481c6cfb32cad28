import { parseRunConfig, type RunRow, type SelectionRunSummary } from '@bankbench/core'
import { describe, expect, it } from 'vitest'
import { sampleReportData } from '../testing/sample-report'
import { dataSelectionSection } from './data-selection'

const SCHEDULE = [77, 154, 308, 616, 1232, 2464, 4928]

/** A finished data-selection run: `accuracies` over SCHEDULE, full data at 0.89 on a pool of 9,503. */
function selectionRun(ordinal: number, strategy: string, seed: number, accuracies: number[]): RunRow {
  const curve = SCHEDULE.map((labels, round) => ({ round, labels, accuracy: accuracies[round]!, macroF1: accuracies[round]! - 0.01, selectionSeconds: round ? 2 : 0, trainSeconds: 1 }))
  const summary: SelectionRunSummary = {
    strategy, strategyOptions: {}, features: 'tfidf (word 1-2 grams, min_df 2, 9986 columns)', accuracy: accuracies.at(-1)!, macroF1: accuracies.at(-1)! - 0.01,
    validationAccuracy: null, trainSeconds: 7, selectionSeconds: 12, trainExamples: 4928, poolSize: 9503, seedSetSize: 77, curve,
    fullData: { accuracy: 0.89, macroF1: 0.89, trainSeconds: 10 }, areaUnderCurve: 0.7,
    labelsTo95PercentOfFull: curve.find((round) => round.accuracy >= 0.95 * 0.89)?.labels ?? null,
    labelsTo88Percent: curve.find((round) => round.accuracy >= 0.88)?.labels ?? null, resumedAfterRound: null, peakRssBytes: 1,
  }
  const base = sampleReportData().runs[0]!
  return {
    ...base, id: `run_select${ordinal}`, ordinal: 100 + ordinal, method: 'data-selection', seed, summary,
    config: parseRunConfig({ method: 'data-selection', hyperparameters: { strategy }, seed, epochs: 1, trainSubset: null, testSet: 'official', arm: 0 }),
  }
}

describe('the data-selection section', () => {
  it('is absent from a benchmark without data-selection runs', async () => {
    expect(await dataSelectionSection(sampleReportData())).toBeNull()
  })

  it('draws the learning curves, tabulates labels to 95% of full data beside random, and answers the 50% question', async () => {
    const data = sampleReportData()
    data.runs.push(
      selectionRun(0, 'random', 1, [0.28, 0.35, 0.48, 0.62, 0.74, 0.82, 0.857]),
      selectionRun(1, 'random', 2, [0.27, 0.36, 0.47, 0.61, 0.75, 0.83, 0.85]),
      selectionRun(2, 'margin', 1, [0.28, 0.33, 0.5, 0.68, 0.81, 0.86, 0.885]),
      selectionRun(3, 'margin', 2, [0.27, 0.34, 0.49, 0.67, 0.8, 0.857, 0.886]),
    )
    const section = (await dataSelectionSection(data))!
    const markup = section.body.value
    expect(section.id).toBe('data-selection')
    expect(markup).toContain('<svg')
    expect(markup).toContain('Can data selection cut the training data by 50%?')
    expect(markup).toContain('Yes: margin reached 95% of full-data accuracy (84.5%; full data 89.0% on 9503 labels) with 2464 ± 0 labels, 25.9% of the pool; random needed 4928 ± 0')
    expect(markup).toMatch(/<td[^>]*>margin<\/td><td class="num">2<\/td><td class="num">2464 ± 0<\/td>/)
    expect(markup).toMatch(/<td[^>]*>random \(control\)<\/td><td class="num">2<\/td><td class="num">4928 ± 0<\/td>/)
  })
})
