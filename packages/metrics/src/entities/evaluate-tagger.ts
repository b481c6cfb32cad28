import { latencySummary } from '../latency'
import { spanF1 } from './span-f1'
import type { EntitySpan } from './span-f1'

/** Anything that finds typed character spans in texts: a fine-tuned token classifier, a rules baseline. */
export interface SpanPredictor {
  predict(texts: string[]): Promise<EntitySpan[][]> | EntitySpan[][]
}

export interface TaggerEvaluationOptions {
  /** How many test texts to time one at a time (batch 1) for p50/p95. Default 200. */
  latencySamples?: number
  /** Texts per call for the throughput measurement. Default 32. */
  throughputBatchSize?: number
}

/**
 * The slot-filling counterpart of evaluateClassifier: span F1 on the test texts (every
 * text predicted in batches, which is also the throughput measurement), then latency
 * per query at batch 1 on the first `latencySamples` texts.
 */
export async function evaluateTagger(predictor: SpanPredictor, test: readonly { text: string; spans: readonly EntitySpan[] }[], options: TaggerEvaluationOptions = {}) {
  const texts = test.map((example) => example.text)
  const batchSize = options.throughputBatchSize ?? 32
  const predicted: EntitySpan[][] = []
  const started = performance.now()
  for (let start = 0; start < texts.length; start += batchSize) predicted.push(...await predictor.predict(texts.slice(start, start + batchSize)))
  const seconds = (performance.now() - started) / 1000
  const report = spanF1(test.map((example) => example.spans), predicted)
  const samples: number[] = []
  for (const text of texts.slice(0, options.latencySamples ?? 200)) {
    const at = performance.now()
    await predictor.predict([text])
    samples.push(performance.now() - at)
  }
  return { report, predicted, latency: latencySummary(samples), throughputPerSecond: seconds > 0 ? texts.length / seconds : 0 }
}
