/**
 * The `llm-api` baseline: few-shot prompting of an OpenAI-compatible chat endpoint
 * on a seeded sample of the test split (see packages/baselines/src/llm-api). Without
 * an endpoint in the job's environment, or without the operator's opt-in to sending the
 * dataset's text to it (BANKBENCH_LLM_SEND_CUSTOMER_TEXT=1), the run succeeds as skipped:
 * its summary holds only `skipped` (the reason), and no quality figures.
 */
import { seededShuffle, type LlmApiSummary, type RunConfigOf, type RunContext, type SkippedRunSummary } from '@bankbench/core'
import { classificationReport, latencySummary, PeakMemoryTracker } from '@bankbench/metrics'
import { llmApiOptionsFromHyperparameters, llmEndpointFromEnv, queryLlmApi, queryRecordsForStorage } from '@bankbench/baselines'

/** Stands for an answer that names no label: scored wrong, and listed as its own column of the confusion matrix. */
export const INVALID_ANSWER = '(invalid answer)'

export const runLlmApiBaseline = async (context: RunContext<RunConfigOf<'llm-api'>>): Promise<LlmApiSummary | SkippedRunSummary> => {
  const { run, dataset } = context
  const { config } = run
  const options = llmApiOptionsFromHyperparameters(config.hyperparameters)
  const endpoint = llmEndpointFromEnv(process.env, options.model)
  if ('skipped' in endpoint) {
    context.log(`skipped: ${endpoint.skipped}`)
    return { skipped: endpoint.skipped }
  }
  // The origin and path only: a URL may carry credentials in its user-info part.
  const { origin, pathname } = new URL(endpoint.baseUrl)
  context.recordEnvironment({ llmEndpoint: `${origin}${pathname}`, llmModel: endpoint.model })

  const train = config.trainSubset ? seededShuffle(dataset.train, run.seed).slice(0, config.trainSubset) : dataset.train
  const memory = new PeakMemoryTracker()
  context.log(`llm-api: ${endpoint.model}, up to ${options.maxQueries} of ${dataset.test.length} test queries, ${options.concurrency} at a time`)
  const result = await queryLlmApi({
    endpoint, options, labels: dataset.labels, train, test: dataset.test, seed: run.seed, signal: context.signal,
    onProgress: (completed, total) => { if (completed % 50 === 0 || completed === total) context.log(`${completed}/${total} queries answered`) },
  })
  const peakRssBytes = memory.stop()

  const truth = result.queries.map((query) => query.label)
  const predicted = result.queries.map((query) => query.predicted ?? INVALID_ANSWER)
  // Macro averages over the labels in this sample (scikit-learn's default): a 200-query
  // sample misses some intents, which would otherwise each count as an F1 of 0.
  const present = new Set([...truth, ...predicted])
  const report = classificationReport(truth, predicted, [...dataset.labels, INVALID_ANSWER].filter((label) => present.has(label)))
  const latency = latencySummary(result.queries.map((query) => query.latencyMs))
  await context.saveArtifact('queries.json', JSON.stringify({ model: endpoint.model, subset: result.subset, queries: queryRecordsForStorage(result.queries) }))
  await context.reportMetrics([{ name: 'test_accuracy', value: report.accuracy, epoch: 1 }])
  const { usage } = result
  context.log(`test accuracy ${(report.accuracy * 100).toFixed(2)}% on ${result.subset.size} queries; ` +
    `${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens${usage.costUsd === null ? '' : `, $${usage.costUsd.toFixed(4)}`}`)
  return {
    // Not a deployable classifier (it saves none, and serving it would send customer messages to a third party): no banking rubric.
    rubric: { notApplicable: 'the llm-api baseline saves no classifier and cannot be deployed, so there is no reply policy to score' },
    notApplicable: ['relevanceScore', 'securityScore'],
    accuracy: report.accuracy,
    macroF1: report.macroF1,
    validationAccuracy: null,
    perLabel: report.perLabel,
    confusion: report.confusion,
    // Nothing is trained: the few-shot examples are the whole "training".
    trainSeconds: 0,
    trainExamples: result.fewShotExamples,
    trainableParameters: 0,
    latencyP50Ms: latency.p50Ms,
    latencyP95Ms: latency.p95Ms,
    latency,
    throughputPerSecond: result.subset.size / (result.wallMs / 1000),
    peakRssBytes,
    model: endpoint.model,
    testSubset: { seed: result.subset.seed, size: result.subset.size, of: result.subset.of, indicesIn: 'queries.json' },
    invalidAnswers: result.queries.filter((query) => query.predicted === null).length,
    retriedQueries: result.queries.filter((query) => query.attempts > 1).length,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    queriesWithoutUsage: usage.queriesWithoutUsage,
    costUsd: usage.costUsd,
    costPer1kQueriesUsd: usage.costUsd === null ? null : (usage.costUsd / result.subset.size) * 1000,
  }
}
