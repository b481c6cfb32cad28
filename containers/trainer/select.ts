/**
 * The `select` job (method data-selection): how many labels does a bank need? One run
 * simulates one query strategy for one seed on the training split as the pool: a
 * stratified seed set, then rounds that label a batch the strategy picks and refit a
 * logistic-regression head on fixed features (TF-IDF of the pool's text, or the base
 * model's frozen mean-pooled embeddings), scored on the test split. The state is saved
 * after every round; a retried job resumes after the last saved round and ends on the
 * same curve. With `peft_budgets`, the PEFT learner (select-peft.ts) then fine-tunes the
 * base model on the rows the strategy chose at those budgets, and on every pool row.
 */
import { getBenchmark, type ArtifactStore, type RunContext, type RunHandler, type SelectionRunSummary } from '@bankbench/core'
import { PeakMemoryTracker } from '@bankbench/metrics'
import {
  areaUnderCurve, embeddingFeatures, fullDataScores, labelSchedule, labelsToReach, selectionStrategy, simulateSelection, stratifiedSeedSet, tfidfFeatures,
  type FeatureSet, type SimulationState,
} from '@bankbench/selection'
import { runPeftLearner } from './select-peft'

/** The study's accuracy criterion (the seed's "88%"). */
export const STUDY_ACCURACY_CRITERION = 0.88

/**
 * What a data-selection run does when its config leaves a field out: one labelled row
 * per intent, half of Banking77's training rows as the budget (so the last round answers
 * "does half the data suffice?"), 14 rounds on a log scale, and the TF-IDF head's
 * regularisation; 40 L-BFGS iterations keep a refit to seconds (on the whole training
 * split 40 and 100 iterations score within 0.1 point).
 */
export const SELECTION_DEFAULTS = {
  features: 'tfidf' as 'tfidf' | 'embeddings',
  seed_per_class: 1,
  budget: 5000,
  rounds: 14,
  C: 10,
  max_iterations: 40,
  dropout_samples: 10,
  dropout_rate: 0.3,
}

/** The embeddings feature source: texts per forward pass and truncation, as the frozen-feature baselines. */
const EMBEDDING_BATCH = { maxLength: 64, batchSize: 64 }

export const runSelect: RunHandler<'select'> = async (context) => {
  const { run, dataset, store } = context
  const {
    strategy: strategyName = 'random', features: featureSource, seed_per_class: seedPerClass, budget: requestedBudget, rounds, C, max_iterations: maxIterations,
    dropout_samples: dropoutSamples, dropout_rate: dropoutRate, mc_dropout: mcDropoutAsked, peft_budgets: peftBudgets, peft_method: peftMethod = 'lora', peft_seeds: peftSeeds,
    ...strategyFields
  } = { ...SELECTION_DEFAULTS, ...run.config.hyperparameters }
  const memory = new PeakMemoryTracker()
  const classOf = new Map(dataset.labels.map((label, index) => [label, index]))
  const poolTargets = Int32Array.from(dataset.train, (example) => classOf.get(example.label)!)
  const testTargets = Int32Array.from(dataset.test, (example) => classOf.get(example.label)!)
  const classCount = dataset.labels.length
  const budget = Math.min(requestedBudget, dataset.train.length)
  const seedSet = stratifiedSeedSet(poolTargets, classCount, seedPerClass, run.seed)
  const schedule = labelSchedule(seedSet.length, Math.max(budget, seedSet.length), rounds)
  const strategy = selectionStrategy(strategyName)
  // BALD's Monte-Carlo dropout: through the engine's encoder where the learner reads one, else on the head's input.
  const mcDropout = strategy.needs.includes('dropoutSamples') ? mcDropoutAsked ?? (featureSource === 'embeddings' ? 'encoder' : 'head') : null
  const strategyOptions = { ...strategy.defaults, ...strategyOptionsOf(strategyFields), ...(mcDropout && { mc_dropout: mcDropout }) }

  const features = await featuresFor(context, featureSource, mcDropout === 'encoder' ? { samples: dropoutSamples, seed: run.seed } : null)
  const learner = { C, maxIterations }
  const checkpoint = selectionCheckpoint(store, run.id)
  const saved = await checkpoint.load()
  context.log(`data selection: ${strategyName} ${JSON.stringify(strategyOptions)} on ${features.source}; pool ${dataset.train.length}, seed set ${seedSet.length}, `
    + `${schedule.length} rounds to ${schedule.at(-1)} labels${saved ? `; resuming after round ${saved.rounds.length - 1}` : ''}`)
  const fullData = fullDataScores({ features, poolTargets, testTargets, classCount, learner })
  context.log(`full data (${dataset.train.length} labels): test accuracy ${(fullData.accuracy * 100).toFixed(2)}%`)

  const state = await simulateSelection({
    features, poolTargets, testTargets, classCount, strategy: strategyName, strategyOptions, schedule, seedSet, seed: run.seed, learner,
    dropout: { samples: dropoutSamples, rate: dropoutRate },
    resumeFrom: saved,
    signal: context.signal,
    async onRound(current, result) {
      await checkpoint.save(current)
      await context.reportMetrics([
        { name: 'selection_test_accuracy', value: result.accuracy, step: result.labels },
        { name: 'selection_test_macro_f1', value: result.macroF1, step: result.labels },
      ])
      context.log(`round ${result.round}: ${result.labels} labels, test accuracy ${(result.accuracy * 100).toFixed(2)}% (selection ${result.selectionSeconds.toFixed(1)} s, fit ${result.trainSeconds.toFixed(1)} s)`)
    },
  })
  const last = state.rounds.at(-1)!
  const labelsTo95PercentOfFull = labelsToReach(state.rounds, 0.95 * fullData.accuracy)
  context.log(`${strategyName}: ${labelsTo95PercentOfFull ?? `more than ${last.labels}`} labels to 95% of full-data accuracy`)
  const peft = peftBudgets && (!peftSeeds || peftSeeds.includes(run.seed))
    ? await runPeftLearner(context, { method: peftMethod, budgets: peftBudgets, epochs: run.config.epochs, labeled: state.labeled, labelsAtTarget: labelsTo95PercentOfFull })
    : null
  return {
    strategy: strategyName,
    strategyOptions,
    features: features.source,
    accuracy: last.accuracy,
    macroF1: last.macroF1,
    validationAccuracy: null,
    trainSeconds: sum(state.rounds.map((round) => round.trainSeconds)),
    selectionSeconds: sum(state.rounds.map((round) => round.selectionSeconds)),
    trainExamples: last.labels,
    poolSize: dataset.train.length,
    seedSetSize: seedSet.length,
    curve: state.rounds,
    fullData,
    areaUnderCurve: areaUnderCurve(state.rounds),
    labelsTo95PercentOfFull,
    labelsTo88Percent: labelsToReach(state.rounds, STUDY_ACCURACY_CRITERION),
    resumedAfterRound: saved && saved.rounds.length > 0 ? saved.rounds.length - 1 : null,
    peakRssBytes: memory.stop(),
    mcDropout: mcDropout && (features.dropoutSource ?? `${dropoutSamples} inverted-dropout masks at rate ${dropoutRate} on the head's input, fresh each round `
      + '(dropout over the rows of the head\'s weights, the only weights the labels train)'),
    peft,
  } satisfies SelectionRunSummary
}

/** The edge's snake_case strategy options (METHOD_CATALOG) as the strategies' own names. */
function strategyOptionsOf(fields: Record<string, unknown>): Record<string, unknown> {
  const { kmeans_iterations: iterations, ...rest } = fields
  return { ...rest, ...(iterations === undefined ? {} : { iterations }) }
}

/**
 * The learner's fixed features. With `encoderDropout` (BALD, mc_dropout encoder), the pool is
 * also embedded `samples` times more with the encoder's own dropout on, each pass under its
 * own seeded masks: BALD's Monte-Carlo samples through the engine, drawn once and read by
 * every round's head (only the head changes between rounds).
 */
async function featuresFor(context: RunContext, source: 'tfidf' | 'embeddings', encoderDropout: { samples: number; seed: number } | null): Promise<FeatureSet> {
  const poolTexts = context.dataset.train.map((example) => example.text)
  const testTexts = context.dataset.test.map((example) => example.text)
  if (source === 'tfidf') return tfidfFeatures(poolTexts, testTexts)
  // The engine only when asked for: the TF-IDF learner needs no tensors.
  const { initBackend, SentenceEncoder } = await import('@bankbench/engine')
  const { resolveBaseModel } = await import('@bankbench/model-store')
  const backend = await initBackend()
  context.recordEnvironment({ backend })
  const benchmark = await getBenchmark(context.db, context.run.benchmarkId)
  const base = await resolveBaseModel(context.store, benchmark.spec.baseModel, context.db)
  const encoder = SentenceEncoder.fromCheckpoint(base.checkpoint, EMBEDDING_BATCH)
  try {
    const started = performance.now()
    const embed = (texts: string[], dropoutSeed?: number) => ({ dimension: encoder.dimension, values: encoder.embed(texts, { dropoutSeed }).values })
    const pool = embed(poolTexts)
    const test = embed(testTexts)
    context.log(`encoded ${poolTexts.length + testTexts.length} texts in ${((performance.now() - started) / 1000).toFixed(0)} s on ${backend.name}`)
    let dropout: { views: ReturnType<typeof embed>[]; source: string } | undefined
    if (encoderDropout) {
      const dropoutStart = performance.now()
      const views = Array.from({ length: encoderDropout.samples }, (_, sample) => embed(poolTexts, encoderDropout.seed * 1_000_003 + sample + 1))
      const rates = encoder.dropoutRates
      dropout = {
        views,
        source: `${encoderDropout.samples} Monte-Carlo dropout passes of ${base.nameOrPath}'s encoder in the engine (its own rates: hidden ${rates.hidden}, attention ${rates.attention}), `
          + 'the same masks every round, each pass through the round\'s head',
      }
      context.log(`drew ${encoderDropout.samples} Monte-Carlo dropout samples of the pool through the encoder in ${((performance.now() - dropoutStart) / 1000).toFixed(0)} s`)
    }
    return embeddingFeatures(pool, test, `${base.nameOrPath} frozen mean-pooled embeddings (${encoder.dimension} features)`, dropout)
  } finally {
    encoder.dispose()
  }
}

/** The round-by-round state a retried job resumes from, beside the run's other checkpoints. */
export function selectionCheckpoint(store: ArtifactStore, runId: string) {
  const key = `runs/${runId}/checkpoint/selection-state.json`
  return {
    key,
    save: async (state: SimulationState) => void (await store.put(key, JSON.stringify(state))),
    load: async (): Promise<SimulationState | null> => ((await store.exists(key)) ? (JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as SimulationState) : null),
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0)
}
