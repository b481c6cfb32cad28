import { isRunOfMethod, seededShuffle, type RunConfigOf, type RunContext, type RunHandler, type TextBaselineSummary } from '@bankbench/core'
import { evaluateClassifier, evaluationSummary, PeakMemoryTracker } from '@bankbench/metrics'
import { BASELINE_METHODS, FEATURE_BASELINE_METHODS, trainBaseline, type BaselineMethod } from '@bankbench/baselines'
import { runFrozenFeatureBaseline } from './frozen-features'
import { runLlmApiBaseline } from './llm-api'
import { bankingRubricScores } from './rubric'

/**
 * The `baseline` job: every method that does not adapt the base model. Text baselines
 * (random, majority, tfidf-logreg) here; the untuned base model's frozen features
 * (frozen-probe, centroid) in frozen-features.ts; few-shot prompting of a hosted LLM
 * (llm-api) in llm-api.ts.
 */
export const runBaseline: RunHandler<'baseline'> = async (context) => {
  if (isRunOfMethod(context, FEATURE_BASELINE_METHODS)) return runFrozenFeatureBaseline(context)
  if (isRunOfMethod(context, ['llm-api'])) return runLlmApiBaseline(context)
  if (isRunOfMethod(context, BASELINE_METHODS)) return runTextBaseline(context)
  throw new Error(`the baseline job has no baseline '${context.run.config.method}'`)
}

/** Trains a text baseline on the run's training data, evaluates like every other run, stores the model. */
async function runTextBaseline(context: RunContext<RunConfigOf<BaselineMethod>>): Promise<TextBaselineSummary> {
  const { run, dataset } = context
  const { config } = run
  const train = config.trainSubset ? seededShuffle(dataset.train, run.seed).slice(0, config.trainSubset) : dataset.train
  context.log(`training ${run.method} on ${train.length} examples`)
  const memory = new PeakMemoryTracker()
  const trainStart = performance.now()
  // L-BFGS runs synchronously: the tracker's timer never fires during it, so each iteration samples (as the engine samples each step).
  const classifier = trainBaseline(config.method, train, dataset.labels, { seed: run.seed, onIteration: () => memory.sample(), ...textBaselineOptions(config.hyperparameters) })
  const trainSeconds = (performance.now() - trainStart) / 1000
  context.signal.throwIfAborted()
  const evaluation = await evaluateClassifier(classifier, dataset)
  const rubric = await bankingRubricScores({ predictor: classifier, dataset, evaluation, seed: run.seed, log: (message) => context.log(message), signal: context.signal })
  const peakRssBytes = memory.stop()
  const model = JSON.stringify(classifier.toJSON())
  await context.saveArtifact('model.json', model)
  await context.reportMetrics([
    { name: 'validation_accuracy', value: evaluation.validation.accuracy, epoch: 1 },
    { name: 'test_accuracy', value: evaluation.test.accuracy, epoch: 1 },
  ])
  context.log(`test accuracy ${(evaluation.test.accuracy * 100).toFixed(2)}%`)
  return {
    ...evaluationSummary(evaluation),
    ...rubric,
    trainSeconds,
    trainExamples: train.length,
    peakRssBytes,
    modelBytes: Buffer.byteLength(model),
  }
}

/** The API's hyperparameter names (snake_case, as METHOD_CATALOG validates them) to the baselines' option names. */
function textBaselineOptions(hyperparameters: Record<string, unknown>): Record<string, unknown> {
  const { max_iterations: maxIterations, ...rest } = hyperparameters
  return { ...rest, ...(maxIterations === undefined ? {} : { maxIterations }) }
}
