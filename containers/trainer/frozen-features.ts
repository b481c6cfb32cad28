/**
 * The `frozen-probe` and `centroid` baselines: the untuned base model (resolved as a
 * train run resolves it) encodes every text into the mean of its last hidden states,
 * and a linear probe or a nearest-centroid rule is fitted on those vectors. What
 * fine-tuning has to beat to show it taught the model anything.
 */
import { getBenchmark, seededShuffle, type FeatureBaselineSummary, type RunConfigOf, type RunContext } from '@bankbench/core'
import { evaluateClassifier, evaluationSummary, PeakMemoryTracker } from '@bankbench/metrics'
import { saveFeatureBaseline, trainFeatureBaseline, withEncoder, type FeatureBaselineMethod, type FeatureBaselineOptionsByMethod } from '@bankbench/baselines'
import { initBackend, SentenceEncoder, TRAINER_DEFAULTS } from '@bankbench/engine'
import { benchmarkBaseModel, resolveBaseModel } from '@bankbench/model-store'
import { bankingRubricScores } from './rubric'

/** A train run's truncation (so the comparison is like for like) and texts per forward pass. */
export const FROZEN_FEATURE_DEFAULTS = { max_length: TRAINER_DEFAULTS.common.max_length, batch_size: 64 }

export const runFrozenFeatureBaseline = async (context: RunContext<RunConfigOf<FeatureBaselineMethod>>): Promise<FeatureBaselineSummary> => {
  const { run, dataset, store } = context
  const { config } = run
  const { method } = config
  const { max_length: maxLength, batch_size: batchSize, ...methodFields } = { ...FROZEN_FEATURE_DEFAULTS, ...config.hyperparameters }
  const backend = await initBackend()
  context.recordEnvironment({ backend })
  const memory = new PeakMemoryTracker()

  const benchmark = await getBenchmark(context.db, run.benchmarkId)
  const base = await resolveBaseModel(store, await benchmarkBaseModel(context.db, benchmark), context.db)
  const train = config.trainSubset ? seededShuffle(dataset.train, run.seed).slice(0, config.trainSubset) : dataset.train
  const encoder = SentenceEncoder.fromCheckpoint(base.checkpoint, { maxLength, batchSize })
  try {
    context.log(`${method} on ${base.nameOrPath} (frozen, mean-pooled, ${encoder.dimension} features): ${train.length} examples, backend ${backend.name}`)
    const trainStart = performance.now()
    const features = encoder.embed(train.map((example) => example.text))
    const encodeSeconds = (performance.now() - trainStart) / 1000
    memory.sample()
    // The probe's L-BFGS runs synchronously: each iteration samples memory (as the engine samples each step).
    const classifier = trainFeatureBaseline(method, features, train.map((example) => example.label), dataset.labels,
      { seed: run.seed, ...(method === 'frozen-probe' && { onIteration: () => memory.sample() }), ...methodOptions(method, methodFields) })
    const trainSeconds = (performance.now() - trainStart) / 1000
    context.signal.throwIfAborted()

    const predictor = withEncoder(classifier, (texts) => encoder.embed(texts))
    const evaluation = await evaluateClassifier(predictor, dataset)
    const rubric = await bankingRubricScores({ predictor, dataset, evaluation, seed: run.seed, log: (message) => context.log(message), signal: context.signal })
    const peakRssBytes = memory.stop()
    // What it takes to rebuild the classifier (serving deploys it from this): the base it reads, how it reads it, the fitted head.
    const model = JSON.stringify(saveFeatureBaseline({ baseModel: base.nameOrPath, pooling: 'mean', maxLength: encoder.maxLength }, classifier))
    await context.saveArtifact('model.json', model)
    await context.reportMetrics([
      { name: 'validation_accuracy', value: evaluation.validation.accuracy, epoch: 1 },
      { name: 'test_accuracy', value: evaluation.test.accuracy, epoch: 1 },
    ])
    context.log(`test accuracy ${(evaluation.test.accuracy * 100).toFixed(2)}%`)
    const totalParameters = encoder.parameterCount + classifier.parameterCount
    return {
      ...evaluationSummary(evaluation),
      ...rubric,
      baseModel: base.nameOrPath,
      // Encoding the training texts is part of what this baseline costs to train.
      trainSeconds,
      encodeSeconds,
      trainExamples: train.length,
      trainableParameters: classifier.parameterCount,
      totalParameters,
      trainableRatio: classifier.parameterCount / totalParameters,
      featureDimension: encoder.dimension,
      peakRssBytes,
      modelBytes: Buffer.byteLength(model),
      backend: backend.name,
    }
  } finally {
    encoder.dispose()
  }
}

/** The edge's snake_case fields (METHOD_CATALOG) as the classifier's options. */
function methodOptions<M extends FeatureBaselineMethod>(method: M, fields: Record<string, unknown>): Omit<FeatureBaselineOptionsByMethod[M], 'seed'> {
  const { max_iterations: maxIterations, ...rest } = fields
  return (method === 'frozen-probe' ? { ...rest, ...(maxIterations === undefined ? {} : { maxIterations }) } : rest) as Omit<FeatureBaselineOptionsByMethod[M], 'seed'>
}
