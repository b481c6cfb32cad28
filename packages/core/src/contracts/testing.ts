/**
 * Summaries for tests and previews, complete per the contract (what a real job of
 * that kind records), made up: override the fields a test is about.
 */
import type { EvaluationFigures, PretrainRunSummary, TextBaselineSummary, TrainRunSummary } from './run-summary'

/** An evaluation at `accuracy` on test and validation, with empty per-label detail. */
export function evaluationFigures(accuracy = 0.9): EvaluationFigures {
  return {
    accuracy, macroF1: accuracy, validationAccuracy: accuracy, perLabel: [], confusion: [],
    latencyP50Ms: 5, latencyP95Ms: 8, latency: { count: 200, meanMs: 5.5, p50Ms: 5, p95Ms: 8, p99Ms: 9, maxMs: 12 },
    throughputPerSecond: 400,
  }
}

/** As a `train` job records it (LoRA on the wasm backend). */
export function trainRunSummary(fields: Partial<TrainRunSummary> = {}): TrainRunSummary {
  return {
    ...evaluationFigures(),
    trainSeconds: 600, stepMs: 200, trainExamples: 1000, epochsCompleted: 3, stepsCompleted: 3000, stoppedEarly: false, bestEpoch: 3,
    trainableParameters: 10_000, totalParameters: 1_000_000, trainableRatio: 0.01,
    peakTensorBytes: 500 * 1024 ** 2, peakRssBytes: 1.5 * 1024 ** 3, peakGpuMemoryBytes: null,
    adapterBytes: 40_000, modelBytes: 4_040_000, backend: 'wasm',
    ...fields,
  }
}

/** As a `baseline` job records a text baseline (random, majority, tfidf-logreg). */
export function textBaselineSummary(fields: Partial<TextBaselineSummary> = {}): TextBaselineSummary {
  return { ...evaluationFigures(), trainSeconds: 2, trainExamples: 1000, peakRssBytes: 300 * 1024 ** 2, modelBytes: 50_000, ...fields }
}

/** As a `pretrain` job records the local backbone it published. */
export function pretrainRunSummary(fields: Partial<PretrainRunSummary> = {}): PretrainRunSummary {
  return {
    validationMlmLoss: 3.2, validationMlmAccuracy: 0.4, trainSeconds: 300, stepMs: 100, epochsCompleted: 3, stepsCompleted: 3000, trainExamples: 9503,
    vocabSize: 4000, totalParameters: 500_000, modelBytes: 2_000_000, peakTensorBytes: 100 * 1024 ** 2, peakRssBytes: 1024 ** 3, peakGpuMemoryBytes: null,
    backend: 'wasm', backbone: 'models/local-backbone/',
    ...fields,
  }
}
