import type { Schemas } from '@bankbench/client'
import type { SelectionRunSummary } from '@bankbench/core'
import { describe, expect, it } from 'vitest'
import { formatSelection } from './selection'

/** A data-selection run as GET /v1/benchmarks/{id}/runs lists it: a curve over 100..1600 labels of a 2,000-row pool, full data 0.9. */
function run(id: string, strategy: string, accuracies: number[], peft?: SelectionRunSummary['peft']): Schemas['RunSummary'] {
  const curve = [100, 200, 400, 800, 1600].map((labels, round) => ({ round, labels, accuracy: accuracies[round]!, macroF1: accuracies[round]!, selectionSeconds: 1, trainSeconds: 1 }))
  const summary: SelectionRunSummary = {
    strategy, strategyOptions: {}, features: 'tfidf', accuracy: accuracies.at(-1)!, macroF1: accuracies.at(-1)!, validationAccuracy: null,
    trainSeconds: 5, selectionSeconds: 4, trainExamples: 1600, poolSize: 2000, seedSetSize: 100, curve,
    fullData: { accuracy: 0.9, macroF1: 0.9, trainSeconds: 2 }, areaUnderCurve: 0.7,
    labelsTo95PercentOfFull: curve.find((round) => round.accuracy >= 0.855)?.labels ?? null, labelsTo88Percent: null, resumedAfterRound: null, peakRssBytes: 1, peft,
  }
  return { id, method: 'data-selection', status: 'succeeded', seed: 1, config: { hyperparameters: { strategy } }, summary } as unknown as Schemas['RunSummary']
}

describe('the CLI\'s data-selection tables', () => {
  const point = (budget: 'target' | 'half' | 'full', labels: number, accuracy: number, trainSeconds: number) =>
    ({ budget, labels, accuracy, macroF1: accuracy, validationAccuracy: null, trainSeconds, totalSeconds: trainSeconds, epochsCompleted: 3, bestEpoch: 3 })
  const runs = [
    run('run_a', 'random', [0.5, 0.6, 0.7, 0.8, 0.86]),
    run('run_b', 'margin', [0.5, 0.65, 0.86, 0.89, 0.9], {
      method: 'lora', baseModel: 'bankbench-mini', epochs: 3, learningRate: 2e-3, peftConfig: {},
      points: [point('target', 400, 0.8, 30), point('half', 1000, 0.85, 60)], fullData: { ...point('full', 2000, 0.9, 120), computedByRun: 'run_b' }, skipped: [],
    }),
  ]

  it('prints labels to 95% beside random, what fewer labels save priced as the comparison prices each run, and the 50% answer', () => {
    const comparison = { runs: [{ runId: 'run_a', cost: { dollarsPerHour: 1.006 } }, { runId: 'run_b', cost: { dollarsPerHour: 1.006 } }] } as unknown as Pick<Schemas['Comparison'], 'runs'>
    const text = formatSelection(runs, comparison)!
    expect(text).toMatch(/^margin\s+400 ± 0\s+> 200\s+1\/1\s+25%/m)
    expect(text).toContain('$ at $1.006/h)')
    expect(text).toMatch(/^margin\s+400\s+80\.0%\s+1\.0 \/ 2\.0\s+6\.0\s+80\.0% \/ 90\.0%\s+30 \/ 120\s+75\.0%\s+\$0\.0252 \(\$0\.0235\)\s+85\.0% \(94\.4%\)$/m)
    expect(text).toContain('Can data selection cut the training data by 50%? Yes: margin reached')
    // Without the comparison: the local machine's hour, said.
    expect(formatSelection(runs)).toContain('the local machine\'s on-demand price')
  })
})
