import { classificationReport } from './classification'
import { latencySummary } from './latency'

/** A labelled text (the data package's Example). */
interface Example { text: string; label: string }

/** Anything that maps texts to labels: a baseline, a fine-tuned model. */
export interface LabelPredictor {
  predict(texts: string[]): Promise<{ label: string; confidence: number }[]> | { label: string; confidence: number }[]
}

export interface EvaluationOptions {
  /** How many test queries to time one at a time (batch 1) for p50/p95. */
  latencySamples?: number
  /** Batch size for the throughput measurement. */
  throughputBatchSize?: number
}

/**
 * The evaluation every run reports the same way: quality on test and validation,
 * latency per query at batch 1, and throughput at a batch size.
 */
export async function evaluateClassifier(predictor: LabelPredictor, data: { labels: string[]; validation: Example[]; test: Example[] }, options: EvaluationOptions = {}) {
  const texts = data.test.map((example) => example.text)
  const batchSize = options.throughputBatchSize ?? 32
  const testPredictions: { label: string; confidence: number }[] = []
  const throughputStart = performance.now()
  for (let start = 0; start < texts.length; start += batchSize) {
    for (const prediction of await predictor.predict(texts.slice(start, start + batchSize))) testPredictions.push({ label: prediction.label, confidence: prediction.confidence })
  }
  const predictions = testPredictions.map((prediction) => prediction.label)
  const throughputSeconds = (performance.now() - throughputStart) / 1000
  const test = classificationReport(data.test.map((example) => example.label), predictions, data.labels)
  const validationPredictions = await predictor.predict(data.validation.map((example) => example.text))
  const validation = classificationReport(data.validation.map((example) => example.label), validationPredictions.map((p) => p.label), data.labels)

  const samples: number[] = []
  const sampleCount = Math.min(options.latencySamples ?? 200, texts.length)
  for (let i = 0; i < sampleCount; i++) {
    const started = performance.now()
    await predictor.predict([texts[i]!])
    samples.push(performance.now() - started)
  }
  return {
    test,
    validation,
    latency: latencySummary(samples),
    throughputPerSecond: texts.length / throughputSeconds,
    /** Each test and validation message's prediction, in split order (what the banking rubric scores read). */
    testPredictions,
    validationPredictions: validationPredictions.map((prediction) => ({ label: prediction.label, confidence: prediction.confidence })),
  }
}

/** The summary fields every run reports from its evaluation. */
export function evaluationSummary(evaluation: Awaited<ReturnType<typeof evaluateClassifier>>) {
  return {
    accuracy: evaluation.test.accuracy,
    macroF1: evaluation.test.macroF1,
    validationAccuracy: evaluation.validation.accuracy,
    perLabel: evaluation.test.perLabel,
    confusion: evaluation.test.confusion,
    latencyP50Ms: evaluation.latency.p50Ms,
    latencyP95Ms: evaluation.latency.p95Ms,
    latency: evaluation.latency,
    throughputPerSecond: evaluation.throughputPerSecond,
  }
}
