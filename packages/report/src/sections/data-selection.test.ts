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
    expect(markup).toContain('Yes: margin reached 95% of full-data accuracy (84.5%; full data 89.0% on 9503 labels) with 2464 ± 0 labels (more than 1232, the round before), 25.9% of the pool; random needed 4928 ± 0 labels (more than 2464, the round before), 51.9%')
    expect(markup).toMatch(/<td[^>]*>margin<\/td><td class="num">2<\/td><td class="num">2464 ± 0 \(&gt; 1232\)<\/td>/)
    expect(markup).toMatch(/<td[^>]*>random \(control\)<\/td><td class="num">2<\/td><td class="num">4928 ± 0 \(&gt; 2464\)<\/td>/)
  })

  it('tabulates what fewer labels save: the fast learner\'s fits and loop, LoRA at the target and at half against every row, priced; and what BALD\'s dropout was', async () => {
    const data = sampleReportData()
    const point = (budget: 'target' | 'half' | 'full', labels: number, accuracy: number, trainSeconds: number) =>
      ({ budget, labels, accuracy, macroF1: accuracy, validationAccuracy: null, trainSeconds, totalSeconds: trainSeconds, epochsCompleted: 3, bestEpoch: 3 })
    const margin = selectionRun(2, 'margin', 1, [0.28, 0.33, 0.5, 0.68, 0.81, 0.86, 0.885])
    ;(margin.summary as SelectionRunSummary).peft = {
      method: 'lora', baseModel: 'bankbench-mini', epochs: 3, learningRate: 2e-3, peftConfig: {},
      points: [point('target', 2464, 0.78, 40), point('half', 4751, 0.8, 75)],
      fullData: { ...point('full', 9503, 0.82, 150), computedByRun: 'run_select2' },
      skipped: [],
    }
    const bald = selectionRun(4, 'bald', 1, [0.28, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75])
    ;(bald.summary as SelectionRunSummary).mcDropout = '10 inverted-dropout masks at rate 0.3 on the head\'s input'
    data.runs.push(selectionRun(0, 'random', 1, [0.28, 0.35, 0.48, 0.62, 0.74, 0.82, 0.857]), margin, bald)
    const markup = (await dataSelectionSection(data))!.body.value
    expect(markup).toContain('<h3>The cost of fewer labels</h3>')
    // Margin: the target at 2,464 labels (round 5): fits of 1 s, loop 5 x 2 s selection + 6 x 1 s fits.
    expect(markup).toMatch(/<td[^>]*>margin<\/td><td class="num">2464<\/td><td class="num">1\.0 \/ 10\.0<\/td><td class="num">16\.0<\/td><td class="num">−\$0\.0001<\/td>/)
    expect(markup).toMatch(/<td class="num">78\.0% \/ 82\.0%<\/td><td class="num">40 \/ 150<\/td><td class="num">73\.3%<\/td><td class="num">\$0\.0026 \(\$0\.0022\)<\/td><td class="num">80\.0% \(97\.6%\)<\/td>/)
    expect(markup).toContain('priced at $0.085/h (the local machine&#39;s on-demand price')
    expect(markup).toContain('The PEFT learner fine-tunes lora (3 epochs')
    expect(markup).toContain('BALD&#39;s dropout samples: 10 inverted-dropout masks at rate 0.3 on the head&#39;s input.')
    expect(markup).toContain('lora fine-tuned on the half of the pool margin chose (4751 labels) reached 80.0% test accuracy, 97.6% of lora on every row (82.0%) (1 seed).')
  })
})
