/**
 * The select job's handler on a real artifact store: a run stopped after its second
 * round (the process asked to stop, as a spot reclaim does) and run again resumes from
 * the state it saved and ends on the curve an uninterrupted run draws.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FsArtifactStore, SELECTION_STRATEGY_NAMES, type DatasetSplits, type RunConfigOfKind, type RunContext, type SelectionRunSummary } from '@bankbench/core'
import { STRATEGY_NAMES } from '@bankbench/selection'
import { runSelect, selectionCheckpoint } from './select'
import { resolvePeftBudgets } from './select-peft'

/** Four intents, templated messages: enough rows for several rounds, few enough for seconds. */
function syntheticIntents(): DatasetSplits {
  const intents: Record<string, string[]> = {
    lost_card: ['lost my card', 'card was stolen', 'cannot find my card', 'someone took my card'],
    balance: ['what is my balance', 'how much money is left', 'show my account balance', 'check balance'],
    transfer: ['send money to a friend', 'make a bank transfer', 'transfer funds to savings', 'pay my sister'],
    exchange_rate: ['euro to dollar rate', 'what is the exchange rate', 'currency rates today', 'rate for yen'],
  }
  const openings = ['', 'please ', 'hi, ', 'quick question: ', 'urgent: ', 'hello ', 'can you help, ', 'I need to know ']
  const rows = (from: number, to: number) => Object.entries(intents).flatMap(([label, texts]) =>
    openings.slice(from, to).flatMap((opening) => texts.map((text) => ({ text: `${opening}${text}`, label }))))
  return { labels: Object.keys(intents), train: rows(0, 6), validation: rows(6, 7), test: rows(7, 8) }
}

const directory = mkdtempSync(join(tmpdir(), 'bankbench-select-'))
const store = new FsArtifactStore(join(directory, 'artifacts'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

type SelectConfig = RunConfigOfKind<'select'>

/** The handler's context for one run; `stopAfterRounds` aborts the signal once that many rounds were reported. */
function context(runId: string, hyperparameters: SelectConfig['hyperparameters'], stopAfterRounds?: number): RunContext<SelectConfig> {
  const controller = new AbortController()
  let rounds = 0
  const config: SelectConfig = { method: 'data-selection', hyperparameters, seed: 5, epochs: 1, trainSubset: null, testSet: 'official', arm: 0 }
  return {
    // The TF-IDF learner reads neither the database nor the job row.
    db: undefined as never,
    job: undefined as never,
    store,
    run: { id: runId, seed: 5, config } as RunContext<SelectConfig>['run'],
    dataset: syntheticIntents(),
    datasetHash: 'synthetic',
    signal: controller.signal,
    async reportMetrics(points) {
      if (points.some((point) => point.name === 'selection_test_accuracy') && ++rounds === stopAfterRounds) controller.abort(new Error('asked to stop'))
    },
    saveArtifact: async (name) => ({ key: name }),
    recordEnvironment: () => {},
    log: () => {},
  }
}

describe('the select job', () => {
  it('runs every strategy core\'s catalog accepts', () => {
    expect([...SELECTION_STRATEGY_NAMES].sort()).toEqual([...STRATEGY_NAMES].sort())
  })

  it.each(['margin', 'core-set', 'bald', 'badge', 'contrastive'] as const)('%s: a run stopped after round 2 resumes from its saved state and ends on the uninterrupted curve', async (strategy) => {
    const hyperparameters = { strategy, budget: 60, rounds: 5, seed_per_class: 2 }
    const uninterrupted = await runSelect(context(`whole-${strategy}`, hyperparameters))
    await expect(runSelect(context(`retried-${strategy}`, hyperparameters, 2))).rejects.toThrow('asked to stop')
    const saved = await selectionCheckpoint(store, `retried-${strategy}`).load()
    expect(saved!.rounds).toHaveLength(2)
    const resumed = await runSelect(context(`retried-${strategy}`, hyperparameters))
    const curve = (summary: SelectionRunSummary) => summary.curve.map(({ labels, accuracy, macroF1 }) => ({ labels, accuracy, macroF1 }))
    expect(resumed.resumedAfterRound).toBe(1)
    expect(uninterrupted.resumedAfterRound).toBeNull()
    expect(curve(resumed)).toEqual(curve(uninterrupted))
    expect(resumed.labelsTo95PercentOfFull).toBe(uninterrupted.labelsTo95PercentOfFull)
  })

  it('summarises the curve against the same learner on the whole pool', async () => {
    const summary = await runSelect(context('summary', { strategy: 'random', budget: 60, rounds: 4 }))
    expect(summary.curve.map((round) => round.labels)).toEqual([4, 10, 24, 60])
    expect(summary).toMatchObject({ strategy: 'random', poolSize: 96, seedSetSize: 4, trainExamples: 60, accuracy: summary.curve.at(-1)!.accuracy, validationAccuracy: null })
    expect(summary.fullData.accuracy).toBeGreaterThan(0.5)
    expect(summary.features).toMatch(/^tfidf/)
    const target = 0.95 * summary.fullData.accuracy
    const first = summary.curve.find((round) => round.accuracy >= target)
    expect(summary.labelsTo95PercentOfFull).toBe(first?.labels ?? null)
  })

  it('says where BALD\'s dropout acted: on the TF-IDF learner, the head\'s input (no encoder to drop out)', async () => {
    const bald = await runSelect(context('bald-head', { strategy: 'bald', budget: 30, rounds: 3 }))
    expect(bald.strategyOptions).toMatchObject({ mc_dropout: 'head' })
    expect(bald.mcDropout).toMatch(/^10 inverted-dropout masks at rate 0.3 on the head's input/)
    expect(bald.peft).toBeNull()
    const margin = await runSelect(context('margin-no-dropout', { strategy: 'margin', budget: 30, rounds: 3 }))
    expect(margin.mcDropout).toBeNull()
    expect(margin.strategyOptions).not.toHaveProperty('mc_dropout')
  })
})

describe('the PEFT learner\'s budgets', () => {
  it('reads target as the fast learner\'s labels at 95% of full data, half as half the pool, and skips what the simulation never labelled', () => {
    expect(resolvePeftBudgets(['target', 'half', 40], 96, 60, 24)).toEqual([
      { budget: 'target', labels: 24, reason: null },
      { budget: 'half', labels: 48, reason: null },
      { budget: 40, labels: 40, reason: null },
    ])
    const skipped = resolvePeftBudgets(['target', 'half', 80], 200, 60, null)
    expect(skipped.map((entry) => entry.labels)).toEqual([null, null, null])
    expect(skipped[0]!.reason).toMatch(/did not reach 95% of its full-data accuracy within 60 labels/)
    expect(skipped[1]!.reason).toMatch(/100 labels \(half the pool\) exceed the 60 the simulation labelled/)
  })
})
