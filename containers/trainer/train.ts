/**
 * The `train` job (every PEFT method of the engine's registry: full, lora, qlora, ia3,
 * prefix-tuning, adapter): fine-tunes the benchmark's base model on
 * the run's training data, streaming loss and validation figures, checkpointing so
 * that a retried job resumes, then saves the adapter (PEFT layout) or the whole
 * model and evaluates like every other run.
 */
import { getBenchmark, seededShuffle, type RunHandler, type TrainRunSummary } from '@bankbench/core'
import { evaluateClassifier, PeakMemoryTracker } from '@bankbench/metrics'
import { fineTuneClassifier, initBackend, optimizerOptions, trainSettings } from '@bankbench/engine'
import { benchmarkBaseModel, resolveBaseModel } from '@bankbench/model-store'
import { saveClassifierArtifacts } from './classifier-artifacts'
import { gpuMemoryFigures } from './gpu-memory'
import { progressReporter, trainerCheckpoints } from './training-progress'
import { bankingRubricScores } from './rubric'

export const runTrain: RunHandler<'train'> = async (context) => {
  const { run, dataset, store } = context
  const { config } = run
  const settings = trainSettings(config.method, config.hyperparameters)
  const backend = await initBackend()
  context.recordEnvironment({ backend })
  const memory = new PeakMemoryTracker()

  const benchmark = await getBenchmark(context.db, run.benchmarkId)
  const base = await resolveBaseModel(store, await benchmarkBaseModel(context.db, benchmark), context.db)
  const train = config.trainSubset ? seededShuffle(dataset.train, run.seed).slice(0, config.trainSubset) : dataset.train
  context.log(`${config.method} on ${base.nameOrPath}: ${train.length} examples, ${config.epochs} epochs, batch ${settings.batchSize}, ` +
    `learning rate ${settings.learningRate}, backend ${backend.name}`)

  const fineTuned = await fineTuneClassifier({
    base: base.checkpoint,
    labels: dataset.labels,
    train,
    validation: dataset.validation,
    method: config.method,
    peftConfig: settings.peftConfig,
    maxLength: settings.maxLength,
    epochs: config.epochs,
    ...optimizerOptions(settings),
    seed: run.seed,
    signal: context.signal,
    ...progressReporter(context),
    ...trainerCheckpoints(store, run.id),
  })
  const { classifier, result } = fineTuned
  try {
    if (result.status === 'cancelled') context.signal.throwIfAborted()
    const weights = await saveClassifierArtifacts(context, fineTuned, base, { method: config.method, labels: dataset.labels })
    const evaluation = await evaluateClassifier(classifier, dataset)
    context.log(`test accuracy ${(evaluation.test.accuracy * 100).toFixed(2)}% after ${result.steps} steps (${(result.elapsedMs / 1000).toFixed(0)} s)`)
    const rubric = await bankingRubricScores({ predictor: classifier, dataset, evaluation, seed: run.seed, log: (message) => context.log(message), signal: context.signal })
    return { baseModel: base.nameOrPath, ...trainSummary({ fineTuned, evaluation, weights, trainExamples: train.length, peakRssBytes: memory.stop(), backend }), ...rubric }
  } finally {
    classifier.dispose()
  }
}

type FineTuned = Awaited<ReturnType<typeof fineTuneClassifier>>

/** The run's summary: test figures, training figures, sizes and memory. */
function trainSummary({ fineTuned, evaluation, weights, trainExamples, peakRssBytes, backend }: {
  fineTuned: FineTuned
  evaluation: Awaited<ReturnType<typeof evaluateClassifier>>
  weights: { adapterBytes: number; modelBytes: number }
  trainExamples: number
  peakRssBytes: number
  backend: { name: string; gpu: boolean }
}): TrainRunSummary {
  const { result, parameterCounts } = fineTuned
  return {
    accuracy: evaluation.test.accuracy,
    macroF1: evaluation.test.macroF1,
    validationAccuracy: evaluation.validation.accuracy,
    perLabel: evaluation.test.perLabel,
    confusion: evaluation.test.confusion,
    trainSeconds: result.elapsedMs / 1000,
    stepMs: result.steps > 0 ? result.elapsedMs / result.steps : null,
    trainExamples,
    epochsCompleted: result.epochsCompleted,
    stepsCompleted: result.steps,
    stoppedEarly: result.status === 'early-stopped',
    bestEpoch: result.best ? result.best.epoch + 1 : null,
    trainableParameters: parameterCounts.trainable,
    totalParameters: parameterCounts.total,
    trainableRatio: parameterCounts.ratio,
    latencyP50Ms: evaluation.latency.p50Ms,
    latencyP95Ms: evaluation.latency.p95Ms,
    latency: evaluation.latency,
    throughputPerSecond: evaluation.throughputPerSecond,
    peakTensorBytes: result.peakMemory.tensorBytes,
    peakRssBytes: Math.max(result.peakMemory.rssBytes, peakRssBytes),
    ...gpuMemoryFigures(result.peakMemory, backend),
    ...weights,
    backend: backend.name,
  }
}
