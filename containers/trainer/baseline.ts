import { seededShuffle, type RunHandler } from '@bankbench/core'
import { PeakMemoryTracker } from '@bankbench/metrics'
import { trainBaseline, type BaselineMethod } from '@bankbench/baselines'
import { evaluateClassifier } from './evaluate-classifier'

/**
 * The `baseline` job: random, majority, TF-IDF + logistic regression. Trains on the
 * run's training data, evaluates like every other run, stores the model.
 */
export const runBaseline: RunHandler = async (context) => {
  const { run, dataset } = context
  const config = run.config as { hyperparameters: Record<string, unknown>; trainSubset: number | null }
  const train = config.trainSubset ? seededShuffle(dataset.train, run.seed).slice(0, config.trainSubset) : dataset.train
  context.log(`training ${run.method} on ${train.length} examples`)
  const memory = new PeakMemoryTracker()
  const trainStart = performance.now()
  const classifier = trainBaseline(run.method as BaselineMethod, train, dataset.labels, { seed: run.seed, ...config.hyperparameters })
  const trainSeconds = (performance.now() - trainStart) / 1000
  context.signal.throwIfAborted()
  const evaluation = await evaluateClassifier(classifier, dataset)
  const peakRssBytes = memory.stop()
  const model = JSON.stringify(classifier.toJSON())
  await context.saveArtifact('model.json', model)
  await context.reportMetrics([
    { name: 'validation_accuracy', value: evaluation.validation.accuracy, epoch: 1 },
    { name: 'test_accuracy', value: evaluation.test.accuracy, epoch: 1 },
  ])
  context.log(`test accuracy ${(evaluation.test.accuracy * 100).toFixed(2)}%`)
  return {
    accuracy: evaluation.test.accuracy,
    macroF1: evaluation.test.macroF1,
    validationAccuracy: evaluation.validation.accuracy,
    perLabel: evaluation.test.perLabel,
    confusion: evaluation.test.confusion,
    trainSeconds,
    trainExamples: train.length,
    latencyP50Ms: evaluation.latency.p50Ms,
    latencyP95Ms: evaluation.latency.p95Ms,
    latency: evaluation.latency,
    throughputPerSecond: evaluation.throughputPerSecond,
    peakRssBytes,
    modelBytes: Buffer.byteLength(model),
  }
}
