import { describe, expect, it } from 'vitest'
import type { SelectionRunSummary } from '../contracts/run-summary'
import { dataSelectionStudy, formatSelectionSavingsTable, formatSelectionTable, type SelectionRunInput } from './data-selection'

const SCHEDULE = [100, 200, 400, 800, 1600]

/** A run whose curve is `accuracies` over SCHEDULE, against a full-data accuracy of 0.9 on a pool of 2,000. */
function run(strategy: string, seed: number, accuracies: number[], options: Record<string, unknown> = {}): SelectionRunInput {
  const curve = SCHEDULE.map((labels, round) => ({ round, labels, accuracy: accuracies[round]!, macroF1: accuracies[round]!, selectionSeconds: 1, trainSeconds: 1 }))
  const target = 0.95 * 0.9
  const summary: SelectionRunSummary = {
    strategy, strategyOptions: options, features: 'tfidf', accuracy: accuracies.at(-1)!, macroF1: accuracies.at(-1)!, validationAccuracy: null,
    trainSeconds: 5, selectionSeconds: 4, trainExamples: 1600, poolSize: 2000, seedSetSize: 100, curve,
    fullData: { accuracy: 0.9, macroF1: 0.9, trainSeconds: 2 }, areaUnderCurve: 0.7,
    labelsTo95PercentOfFull: curve.find((round) => round.accuracy >= target)?.labels ?? null,
    labelsTo88Percent: curve.find((round) => round.accuracy >= 0.88)?.labels ?? null,
    resumedAfterRound: null, peakRssBytes: 1,
  }
  return { method: 'data-selection', status: 'succeeded', seed, hyperparameters: { strategy, budget: 1600, ...options }, summary }
}

describe('the data-selection study', () => {
  const runs = [
    run('random', 1, [0.5, 0.6, 0.7, 0.8, 0.86]),
    run('random', 2, [0.5, 0.6, 0.7, 0.8, 0.84]),
    run('margin', 1, [0.5, 0.65, 0.86, 0.89, 0.9]),
    run('margin', 2, [0.5, 0.65, 0.8, 0.87, 0.9]),
    run('core-set', 1, [0.5, 0.6, 0.7, 0.8, 0.82], { metric: 'cosine' }),
    { method: 'lora', status: 'succeeded', seed: 1, hyperparameters: {}, summary: { accuracy: 0.9 } },
  ]

  it('groups runs by strategy and options, ranks by labels to 95% of full data, and counts seeds that never reached it', () => {
    const study = dataSelectionStudy(runs)!
    expect(study.strategies.map((row) => row.label)).toEqual(['margin', 'random', 'core-set metric=cosine'])
    const [margin, random, coreSet] = study.strategies
    expect(margin!.labelsTo95).toEqual({ stat: { mean: 600, std: expect.closeTo(282.84, 1), n: 2 }, reached: 2, above: 200 })
    // Random's seed 1 reached it at 1,600 labels, so the true count lies above the round before (800).
    expect(random!.labelsTo95).toEqual({ stat: { mean: 1600, std: 0, n: 1 }, reached: 1, above: 800 })
    expect(coreSet!.labelsTo95).toEqual({ stat: null, reached: 0, above: null })
    expect(margin!.curve[2]!.accuracy.mean).toBeCloseTo(0.83)
    expect(study.fullDataAccuracy.mean).toBeCloseTo(0.9)
  })

  it('answers the 50% question from the measurements, beside random', () => {
    const { answer } = dataSelectionStudy(runs)!
    expect(answer.question).toBe('Can data selection cut the training data by 50%?')
    // Margin: 600 ± 283 labels, under half the pool (1,000) even at mean + std.
    expect(answer.answer).toMatch(/^Yes: margin reached 95% of full-data accuracy \(85\.5%; full data 90\.0% on 2000 labels\) with 600 ± 283 labels \(more than 200, the round before\), 30\.0% of the pool/)
    expect(answer.answer).toContain('random did not reach it within 1600 labels for 1 of 2 seeds')
  })

  it('says no when no strategy reached the target for every seed, and is null without data-selection runs', () => {
    expect(dataSelectionStudy([runs[4]!])!.answer.answer).toMatch(/^No strategy reached/)
    expect(dataSelectionStudy([runs[5]!])).toBeNull()
  })

  it('prints the labels-to-95% table with random marked as the control', () => {
    const table = formatSelectionTable(dataSelectionStudy(runs)!)
    expect(table).toMatch(/^margin\s+600 ± 283\s+> 200\s+2\/2\s+-/m)
    expect(table).toMatch(/^random \(control\)\s+1600 ± 0\s+> 800\s+1\/2\s+100%/m)
    expect(table).toMatch(/^core-set metric=cosine\s+> 1600\s+-\s+0\/1/m)
  })
})

describe('what fewer labels save', () => {
  /** Margin's runs with the PEFT learner: LoRA at the target (400 labels, 30 s) and at half (1,000, 60 s) against every row (120 s), priced at $3.60/h. */
  const point = (budget: 'target' | 'half' | 'full', labels: number, accuracy: number, trainSeconds: number) =>
    ({ budget, labels, accuracy, macroF1: accuracy, validationAccuracy: null, trainSeconds, totalSeconds: trainSeconds + 1, epochsCompleted: 3, bestEpoch: 3 })
  const withPeft = (input: SelectionRunInput): SelectionRunInput => ({
    ...input,
    dollarsPerHour: 3.6,
    summary: {
      ...(input.summary as SelectionRunSummary),
      peft: {
        method: 'lora', baseModel: 'bankbench-mini', epochs: 3, learningRate: 2e-3, peftConfig: {},
        points: [point('target', 400, 0.8, 30), point('half', 1000, 0.85, 60)],
        fullData: { ...point('full', 2000, 0.9, 120), computedByRun: 'run_1' },
        skipped: [],
      },
    },
  })
  const runs = [
    withPeft(run('margin', 1, [0.5, 0.65, 0.86, 0.89, 0.9])),
    withPeft(run('margin', 2, [0.5, 0.65, 0.86, 0.87, 0.9])),
    { ...run('random', 1, [0.5, 0.6, 0.7, 0.8, 0.86]), dollarsPerHour: 3.6 },
  ]

  it('measures the fast learner\'s fits and the selection loop to the target, and the PEFT learner there against every row, in seconds and dollars', () => {
    const study = dataSelectionStudy(runs)!
    expect(study.pricing).toEqual({ dollarsPerHour: 3.6, source: 'cost model' })
    const margin = study.strategies[0]!
    // Target 85.5% first reached at 400 labels (round 2): three rounds of 1 s selection + 1 s fit.
    expect(margin.savings).toMatchObject({
      labels: { mean: 400 }, labelsSaved: { mean: 0.8 }, fitSecondsAtTarget: { mean: 1 }, fitSecondsFull: { mean: 2 }, loopSecondsToTarget: { mean: 6 },
      fastNetSecondsSaved: { mean: -4 },
    })
    expect(margin.savings!.peft!.secondsSaved.mean).toBe(90)
    expect(margin.savings!.peft!.share.mean).toBeCloseTo(0.75)
    expect(margin.savings!.peft!.dollarsSaved.mean).toBeCloseTo(0.09)
    expect(margin.savings!.peft!.netDollarsSaved.mean).toBeCloseTo(0.084)
    expect(margin.peft).toMatchObject({ method: 'lora', epochs: 3, atTarget: { labels: { mean: 400 }, accuracy: { mean: 0.8 } }, atHalf: { accuracy: { mean: 0.85, n: 2 } }, full: { accuracy: { mean: 0.9 } } })
    const random = study.strategies.find((row) => row.label === 'random')!
    expect(random.peft).toBeNull()
    expect(random.savings!.peft).toBeNull()
  })

  it('says what the deployed method gains in the 50% answer, and prints the savings table', () => {
    const study = dataSelectionStudy(runs)!
    expect(study.answer.answer).toContain('Fine-tuning lora on those labels instead of every row took 75.0% less training time (90 s and $0.0900 saved per run at $3.600/h; $0.0840 net of the selection loop).')
    expect(study.answer.answer).toContain('lora fine-tuned on the half of the pool margin chose (1000 labels) reached 85.0% test accuracy, 94.4% of lora on every row (90.0%) (2 seeds).')
    const table = formatSelectionSavingsTable(study)!
    expect(table).toMatch(/^What reaching 95% of full-data accuracy with fewer labels saves .*\$3\.600\/h\)/)
    expect(table).toMatch(/^margin\s+400\s+80\.0%\s+1\.0 \/ 2\.0\s+6\.0\s+80\.0% \/ 90\.0%\s+30 \/ 120\s+75\.0%\s+\$0\.0900 \(\$0\.0840\)\s+85\.0% \(94\.4%\)$/m)
    expect(table).toMatch(/^random \(control\)\s+1600\s+20\.0%.*fast learner: -\$0\.0080 net\s+-$/m)
  })

  it('prices at the local machine\'s on-demand hour when the runs carry no cost, and says so', () => {
    const study = dataSelectionStudy(runs.map(({ dollarsPerHour: _price, ...input }) => input))!
    expect(study.pricing.source).toBe('default')
    expect(formatSelectionSavingsTable(study)).toContain('the local machine\'s on-demand price')
    expect(formatSelectionSavingsTable(dataSelectionStudy([run('core-set', 1, [0.5, 0.5, 0.5, 0.5, 0.5])])!)).toBeNull()
  })
})
