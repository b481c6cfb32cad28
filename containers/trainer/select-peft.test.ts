/**
 * The select job's PEFT learner on a real database and artifact store, with a tiny
 * untrained BERT as the base model: a run stopped after its first budget's fine-tune (the
 * process asked to stop, as a spot reclaim does) and run again redoes neither the
 * simulation nor that fine-tune, and ends with the curve and the PEFT results an
 * uninterrupted run gives.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, createBenchmark, FsArtifactStore, openDatabase, planRuns, registerDataset,
  type DatabaseHandle, type DatasetSplits, type RunConfigOfKind, type RunContext, type SelectionPeftPoint, type SelectionRunSummary,
} from '@bankbench/core'
import { saveTinyBert } from '../../test/fixtures/tiny-bert'
import { runSelect, selectionCheckpoint } from './select'

const INTENTS: Record<string, string[]> = {
  lost_card: ['I lost my card', 'my card was stolen', 'where did my card go', 'someone took my card', 'card missing since monday', 'cannot find my card'],
  balance: ['what is my balance', 'how much money do I have', 'show my balance', 'check the balance please', 'balance of my account', 'how much is left'],
  transfer: ['send money to my friend', 'make a transfer', 'transfer fifty pounds', 'how do I send a payment', 'move money to savings', 'pay my sister'],
  exchange_rate: ['what is the exchange rate', 'euro to dollar rate', 'how much is a pound in euros', 'currency rates please', 'rate for yen', 'exchange rate today'],
}
const examples = (from: number, to: number) => Object.entries(INTENTS).flatMap(([label, texts]) => texts.slice(from, to).map((text) => ({ text, label })))
/** 16 pool rows, 4 validation, 8 test. */
const dataset: DatasetSplits = { labels: Object.keys(INTENTS), train: examples(0, 4), validation: examples(4, 5), test: examples(4, 6) }

type SelectConfig = RunConfigOfKind<'select'>
/** An arm's config as a benchmark names it: the hyperparameters, and the epochs the planner moves to the run's protocol. */
type ArmConfig = SelectConfig['hyperparameters'] & { epochs?: number }
/** Three rounds to 12 labels; LoRA fine-tunes at 7 labels, then at half the pool (8), then on all 16. */
const HYPERPARAMETERS: ArmConfig = { strategy: 'margin', budget: 12, rounds: 3, peft_budgets: [7, 'half'], epochs: 1 }

let database: DatabaseHandle
let directory: string
let store: FsArtifactStore

beforeAll(async () => {
  database = await openDatabase()
  directory = mkdtempSync(join(tmpdir(), 'bankbench-select-peft-'))
  store = new FsArtifactStore(join(directory, 'artifacts'))
  await registerDataset(database.db, store, { id: 'intents', name: 'intents', source: 'upload', splits: dataset })
  // A tiny untrained BERT (wide initialisation, so texts get distinct vectors), as the select job's e2e test uses.
  await saveTinyBert(directory, examples(0, 6).map((example) => example.text))
}, 60_000)

afterAll(async () => {
  await database?.close()
  if (directory) rmSync(directory, { recursive: true, force: true })
})

/**
 * A benchmark of its own for each run (the full-data fine-tune is shared by a benchmark's
 * runs of one seed: separate benchmarks make each run train its own), and the handler's
 * context; `stopAt` aborts the signal at the first log line it matches.
 */
async function context(runId: string, benchmarkId: string, logs: string[], stopAt?: RegExp, hyperparameters: ArmConfig = HYPERPARAMETERS): Promise<RunContext<SelectConfig>> {
  const controller = new AbortController()
  // As the planner does: epochs leave the hyperparameters for the run's protocol.
  const { epochs = 1, ...rest } = hyperparameters
  const config: SelectConfig = { method: 'data-selection', hyperparameters: rest, seed: 1, epochs, trainSubset: null, testSet: 'official', arm: 0 }
  return {
    db: database.db,
    job: undefined as never,
    store,
    run: { id: runId, seed: 1, benchmarkId, config } as RunContext<SelectConfig>['run'],
    dataset,
    datasetHash: 'synthetic',
    signal: controller.signal,
    reportMetrics: async () => {},
    saveArtifact: async (name) => ({ key: name }),
    recordEnvironment: () => {},
    log(message) {
      logs.push(message)
      if (stopAt?.test(message) && !controller.signal.aborted) controller.abort(new Error('asked to stop'))
    },
  }
}

async function newBenchmark(hyperparameters: ArmConfig = HYPERPARAMETERS): Promise<string> {
  const spec = benchmarkSpecSchema.parse({ dataset: 'intents', baseModel: join(directory, 'base'), arms: [{ method: 'data-selection', config: hyperparameters }], protocol: { seeds: [1] } })
  const { benchmark } = await createBenchmark(database.db, { name: 'select-peft', datasetId: 'intents', spec, plannedRuns: planRuns(spec), queue: 'local', timeoutSeconds: 300, attempts: 2 })
  return benchmark.id
}

/** What a fine-tune measured, without its times. */
const measured = ({ budget, labels, accuracy, macroF1, validationAccuracy, epochsCompleted, bestEpoch }: SelectionPeftPoint | NonNullable<SelectionRunSummary['peft']>['fullData']) =>
  ({ budget, labels, accuracy, macroF1, validationAccuracy, epochsCompleted, bestEpoch })
const peft = (summary: SelectionRunSummary) => ({ points: summary.peft!.points.map(measured), fullData: measured(summary.peft!.fullData), skipped: summary.peft!.skipped })
const curve = (summary: SelectionRunSummary) => summary.curve.map(({ round, labels, accuracy, macroF1 }) => ({ round, labels, accuracy, macroF1 }))
/** The labels each fine-tune of a run's log trained on, in order. */
const fineTunes = (logs: string[], epoch = 1) => logs.flatMap((message) => new RegExp(`^lora on (\\d+) labels, epoch ${epoch}:`).exec(message)?.slice(1).map(Number) ?? [])

describe('the select job\'s PEFT learner, retried', () => {
  it('a run stopped after its first budget\'s fine-tune resumes after it and ends with the uninterrupted curve and PEFT results', async () => {
    const wholeLogs: string[] = []
    const uninterrupted = await runSelect(await context('whole', await newBenchmark(), wholeLogs))
    expect(fineTunes(wholeLogs)).toEqual([7, 8, 16])

    const retried = await newBenchmark()
    const firstLogs: string[] = []
    await expect(runSelect(await context('retried', retried, firstLogs, /^lora on the first 7 labels/))).rejects.toThrow('asked to stop')
    expect(fineTunes(firstLogs)).toEqual([7])
    expect((await selectionCheckpoint(store, 'retried').load())!.rounds).toHaveLength(3)
    const savedPoints = JSON.parse(Buffer.from(await store.get('runs/retried/checkpoint/selection-peft.json')).toString('utf8')) as SelectionPeftPoint[]
    expect(savedPoints.map((point) => point.labels)).toEqual([7])

    const resumedLogs: string[] = []
    const resumed = await runSelect(await context('retried', retried, resumedLogs))
    // Neither the simulation's rounds nor the first budget's fine-tune run again.
    expect(resumed.resumedAfterRound).toBe(2)
    expect(resumedLogs.some((message) => /^round \d+:/.test(message))).toBe(false)
    expect(fineTunes(resumedLogs)).toEqual([8, 16])

    expect(curve(resumed)).toEqual(curve(uninterrupted))
    expect(resumed.labelsTo95PercentOfFull).toBe(uninterrupted.labelsTo95PercentOfFull)
    expect(peft(uninterrupted).points.map((point) => [point.budget, point.labels])).toEqual([[7, 7], ['half', 8]])
    expect(peft(resumed)).toEqual(peft(uninterrupted))
    expect(resumed.peft!.fullData.computedByRun).toBe('retried')
  }, 60_000)

  it('a run stopped inside a fine-tune (after its first epoch of two) resumes that fine-tune from its trainer checkpoint and ends as an uninterrupted run', async () => {
    const hyperparameters = { ...HYPERPARAMETERS, epochs: 2 }
    const wholeLogs: string[] = []
    const uninterrupted = await runSelect(await context('whole-2', await newBenchmark(hyperparameters), wholeLogs, undefined, hyperparameters))
    expect(fineTunes(wholeLogs, 2)).toEqual([7, 8, 16])

    const retried = await newBenchmark(hyperparameters)
    const firstLogs: string[] = []
    await expect(runSelect(await context('retried-2', retried, firstLogs, /^lora on 8 labels, epoch 1:/, hyperparameters))).rejects.toThrow('asked to stop')
    expect(fineTunes(firstLogs, 2)).toEqual([7])
    expect(await store.exists('runs/retried-2/checkpoint/peft-8.safetensors')).toBe(true)

    const resumedLogs: string[] = []
    const resumed = await runSelect(await context('retried-2', retried, resumedLogs, undefined, hyperparameters))
    // The 8-label fine-tune continues at its second epoch; the 7-label one is not redone.
    expect(fineTunes(resumedLogs, 1)).toEqual([16])
    expect(fineTunes(resumedLogs, 2)).toEqual([8, 16])
    expect(curve(resumed)).toEqual(curve(uninterrupted))
    expect(peft(resumed)).toEqual(peft(uninterrupted))
  }, 60_000)
})
