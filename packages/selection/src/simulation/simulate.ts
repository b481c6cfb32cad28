import { selectBatch, selectionStrategy } from '../strategies/registry'
import type { PoolOutputs } from '../types'
import type { FeatureSet } from './features'
import { accuracyAndMacroF1 } from './scores'
import { argmaxRows, SoftmaxHead, type SoftmaxHeadOptions } from './softmax-head'

/** One round's measurements: after labelling up to `labels` rows and refitting. */
export interface RoundResult {
  round: number
  labels: number
  accuracy: number
  macroF1: number
  /** Computing what the strategy needs (pool predictions, dropout samples) and running it; 0 for the seed set. */
  selectionSeconds: number
  trainSeconds: number
}

/**
 * Everything a simulation needs to continue: the pool rows in the order they were
 * labelled and the rounds measured so far. JSON as it is, so a job stores it after each
 * round and a retried job resumes from it.
 */
export interface SimulationState {
  version: 1
  strategy: string
  seed: number
  schedule: number[]
  labeled: number[]
  rounds: RoundResult[]
}

export interface SimulationInput {
  features: FeatureSet
  poolTargets: Int32Array
  testTargets: Int32Array
  classCount: number
  strategy: string
  strategyOptions?: Record<string, unknown>
  /** Labels after each round; schedule[0] is the seed set's size. */
  schedule: number[]
  /** The seed set, schedule[0] rows. */
  seedSet: number[]
  seed: number
  learner: SoftmaxHeadOptions
  /** Monte-Carlo dropout on the head's input for strategies that need samples (BALD), unless the features carry the encoder's (`dropoutPool`). */
  dropout: { samples: number; rate: number }
  /** A state saved by an earlier attempt of the same simulation: it continues from its last round. */
  resumeFrom?: SimulationState | null
  /** Called after every round with the state to save. */
  onRound?: (state: SimulationState, result: RoundResult) => Promise<void> | void
  signal?: AbortSignal
}

/**
 * Pool-based selection, simulated: the pool's labels are hidden until a strategy asks
 * for a row. Each round the strategy picks the next batch from the previous round's
 * model, the head is refitted from zero on every label so far, and the test split
 * scores it. Every random choice is seeded by (seed, round) and the fit is
 * deterministic, so a resumed simulation selects and scores exactly as an
 * uninterrupted one (selection and training times aside).
 */
export async function simulateSelection(input: SimulationInput): Promise<SimulationState> {
  const { features, poolTargets, classCount, schedule } = input
  if (input.seedSet.length !== schedule[0]) throw new Error(`the seed set has ${input.seedSet.length} rows; the schedule starts at ${schedule[0]}`)
  if (schedule.at(-1)! > features.pool.rowCount) throw new Error(`a budget of ${schedule.at(-1)} labels exceeds the pool's ${features.pool.rowCount} rows`)
  const strategy = selectionStrategy(input.strategy)
  const state: SimulationState = input.resumeFrom
    ? checkResumable(input.resumeFrom, input)
    : { version: 1, strategy: input.strategy, seed: input.seed, schedule: schedule.slice(), labeled: input.seedSet.slice(), rounds: [] }
  const labeled = new Uint8Array(features.pool.rowCount)
  for (const row of state.labeled) labeled[row] = 1
  const fit = () => SoftmaxHead.fit(features.pool, state.labeled, poolTargets, classCount, input.learner)
  // A resumed run refits the last completed round's model (deterministic: the same weights) to select the next batch.
  let model = state.rounds.length > 0 ? fit() : null

  for (let round = state.rounds.length; round < schedule.length; round++) {
    input.signal?.throwIfAborted()
    let selectionSeconds = 0
    if (round > 0) {
      const started = performance.now()
      const pool = poolOutputs(model!, features, classCount, strategy.needs, input, round)
      const batch = selectBatch(input.strategy, { pool, labeled, batchSize: schedule[round]! - schedule[round - 1]!, seed: roundSeed(input.seed, round) }, input.strategyOptions)
      selectionSeconds = (performance.now() - started) / 1000
      for (const row of batch) {
        labeled[row] = 1
        state.labeled.push(row)
      }
    }
    const trainStart = performance.now()
    model = fit()
    const trainSeconds = (performance.now() - trainStart) / 1000
    const predicted = argmaxRows(model.probabilities(features.test), classCount)
    const result: RoundResult = { round, labels: state.labeled.length, ...accuracyAndMacroF1(input.testTargets, predicted, classCount), selectionSeconds, trainSeconds }
    state.rounds.push(result)
    await input.onRound?.(state, result)
  }
  return state
}

/** The head fitted on every pool row: the full-data accuracy the curves are measured against. */
export function fullDataScores(input: Pick<SimulationInput, 'features' | 'poolTargets' | 'testTargets' | 'classCount' | 'learner'>): { accuracy: number; macroF1: number; trainSeconds: number } {
  const started = performance.now()
  const rows = Array.from({ length: input.features.pool.rowCount }, (_, row) => row)
  const model = SoftmaxHead.fit(input.features.pool, rows, input.poolTargets, input.classCount, input.learner)
  const trainSeconds = (performance.now() - started) / 1000
  return { ...accuracyAndMacroF1(input.testTargets, argmaxRows(model.probabilities(input.features.test), input.classCount), input.classCount), trainSeconds }
}

/** A distinct, reproducible seed for each round's random choices. */
function roundSeed(seed: number, round: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + round) >>> 0
}

function poolOutputs(model: SoftmaxHead, features: FeatureSet, classCount: number, needs: readonly string[], input: SimulationInput, round: number): PoolOutputs {
  const pool: PoolOutputs = { size: features.pool.rowCount, classCount }
  if (needs.includes('probabilities')) pool.probabilities = model.probabilities(features.pool)
  if (needs.includes('dropoutSamples')) {
    // The encoder's Monte-Carlo dropout where the features carry it (the same masks every round: only the head changes),
    // else inverted dropout on the head's input, fresh masks each round.
    pool.dropoutSamples = features.dropoutPool
      ? features.dropoutPool.map((view) => model.probabilities(view))
      : Array.from({ length: input.dropout.samples }, (_, sample) =>
        model.probabilities(features.pool, { rate: input.dropout.rate, seed: roundSeed(input.seed, round) * 31 + sample }))
  }
  if (needs.includes('embeddings')) pool.embeddings = features.embeddings
  if (needs.includes('featureNorms')) pool.featureNorms = features.featureNorms
  if (needs.includes('headInputs')) pool.headInputs = features.pool
  return pool
}

/** A saved state belongs to this simulation only if it was made with the same strategy, seed and schedule. */
function checkResumable(saved: SimulationState, input: SimulationInput): SimulationState {
  const same = saved.version === 1 && saved.strategy === input.strategy && saved.seed === input.seed
    && saved.schedule.length === input.schedule.length && saved.schedule.every((size, index) => size === input.schedule[index])
    && saved.rounds.length <= input.schedule.length && saved.labeled.length === (saved.rounds.length ? saved.rounds.at(-1)!.labels : input.schedule[0])
  if (!same) throw new Error(`the saved selection state (strategy ${saved.strategy}, seed ${saved.seed}, ${saved.rounds.length} rounds) does not belong to this simulation`)
  return { ...saved, schedule: saved.schedule.slice(), labeled: saved.labeled.slice(), rounds: saved.rounds.slice() }
}
