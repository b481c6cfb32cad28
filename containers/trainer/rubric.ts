/**
 * The banking rubric scores of a run that classifies (docs/rubrics.md): response relevance on the test
 * split and the security score on the red-team suite, through the reply policy a deployment would apply
 * (the dataset's reply templates, and the out-of-scope threshold calibrated on validation with the
 * deployment's own calibration: on the dataset's out_of_scope messages when it marks some). Relevance is judged by the LLM endpoint of the llm-api baseline when one is
 * configured with the opt-in to send customer text (on a seeded sample of the test split), else by the
 * deterministic rubric.
 */
import { errorMessageForLog, seededShuffle, type RubricScores } from '@bankbench/core'
import {
  relevanceByLlmJudge, relevanceByRubric, replyTemplatesFor, securityScore,
  type LabelPredictor, type Prediction, type RelevanceScore, type ReplyPolicy,
} from '@bankbench/metrics'
import { createChatCompletion, DEFAULT_LLM_API_OPTIONS, llmEndpointFromEnv } from '@bankbench/baselines'
import { calibrateThreshold, DEFAULT_TARGET_FALSE_REJECT_RATE, type CalibrationBasis } from '@bankbench/serving'

/** Test messages the LLM judge reads per run (a seeded sample): enough for a mean, cheap enough for every run. */
export const JUDGE_SAMPLE_SIZE = 50

export type RubricFigures = { relevanceScore: number; securityScore: number; rubric: RubricScores }

export async function bankingRubricScores(input: {
  predictor: LabelPredictor
  dataset: {
    labels: string[]; test: { text: string; label: string }[]; validation: { text: string; label: string }[]
    /** The messages an uploaded dataset marks out_of_scope (DatasetSplits.outOfScope): the threshold is calibrated on the validation ones. */
    outOfScope?: { validation: string[]; test: string[] }
  }
  /** The run's evaluation (`evaluateClassifier`): each test and validation message's prediction. */
  evaluation: { testPredictions: Prediction[]; validationPredictions: Prediction[] }
  seed: number
  log: (message: string) => void
  signal?: AbortSignal
  /** Where the LLM endpoint's settings are read (the job's environment). */
  env?: NodeJS.ProcessEnv
}): Promise<RubricFigures> {
  const templates = replyTemplatesFor(input.dataset.labels)
  const { threshold: outOfScopeThreshold, basis } = await replyThreshold(input)
  const policy: ReplyPolicy = { templates, outOfScopeThreshold }
  const relevance = await judgeRelevance(input, policy)
  const security = await securityScore(input.predictor, policy, { logLines: deploymentLogLines })
  input.log(`banking rubric: relevance ${relevance.score.toFixed(2)}/10 (${relevance.mode}), security ${security.score.toFixed(2)}/10 ` +
    `(${security.cases} red-team messages, templates ${templates.source}, out-of-scope threshold ${outOfScopeThreshold === null ? 'none' : `${outOfScopeThreshold.toFixed(3)} (${basis})`})`)
  return { relevanceScore: relevance.score, securityScore: security.score, rubric: { relevance, security } }
}

/**
 * The out-of-scope threshold of the reply policy, calibrated as a deployment calibrates it (serving's
 * `calibrateThreshold`, the deployment's default target false-reject rate): on the dataset's out_of_scope
 * validation messages when it marks some (basis `out-of-scope-examples`), else on the misclassified
 * validation messages. None when the predictor gives no usable confidences (all equal: the majority
 * baseline), since no threshold separates anything then.
 */
export async function replyThreshold(input: Pick<Parameters<typeof bankingRubricScores>[0], 'predictor' | 'dataset' | 'evaluation' | 'signal'>): Promise<{ threshold: number | null; basis: CalibrationBasis | null }> {
  const { validationPredictions } = input.evaluation
  const confidences = validationPredictions.map((prediction) => prediction.confidence)
  if (confidences.length === 0 || confidences.every((confidence) => confidence === confidences[0])) return { threshold: null, basis: null }
  const inScope = validationPredictions.map((prediction, i) => ({ confidence: prediction.confidence, correct: prediction.label === input.dataset.validation[i]?.label }))
  const outOfScopeTexts = input.dataset.outOfScope?.validation ?? []
  const outOfScope = outOfScopeTexts.length === 0 ? [] : (await predictAll(input.predictor, outOfScopeTexts, input.signal)).map((prediction) => prediction.confidence)
  const calibration = calibrateThreshold(inScope, DEFAULT_TARGET_FALSE_REJECT_RATE, outOfScope)
  return { threshold: calibration.threshold, basis: calibration.basis }
}

/**
 * What the classify path logs about a message: nothing when it answers, and when classifying fails the
 * error through `describeForLog` (packages/api/src/problems.ts), whose message part is `errorMessageForLog`
 * (the stack frames carry no message text), and the error may quote the message as a tokenizer's or
 * runtime's error does. The security score's `noPiiInLogs` check reads these lines.
 */
export const deploymentLogLines = (message: string): string[] => [errorMessageForLog(new Error(`classifying "${message}" failed`))]

/** Messages per predict call when the rubric classifies the splits itself. */
const RUBRIC_BATCH = 64

/**
 * The rubric of a deployable classifier whose job did not run `evaluateClassifier` (the hybrid): its
 * validation and test predictions first (through the object serving answers with), then the scores.
 */
export async function bankingRubricOfPredictor(input: Omit<Parameters<typeof bankingRubricScores>[0], 'evaluation'>): Promise<RubricFigures> {
  const validationPredictions = await predictAll(input.predictor, input.dataset.validation.map((example) => example.text), input.signal)
  const testPredictions = await predictAll(input.predictor, input.dataset.test.map((example) => example.text), input.signal)
  return bankingRubricScores({ ...input, evaluation: { testPredictions, validationPredictions } })
}

async function predictAll(predictor: LabelPredictor, texts: string[], signal?: AbortSignal): Promise<Prediction[]> {
  const predictions: Prediction[] = []
  for (let start = 0; start < texts.length; start += RUBRIC_BATCH) {
    signal?.throwIfAborted()
    for (const { label, confidence } of await predictor.predict(texts.slice(start, start + RUBRIC_BATCH))) predictions.push({ label, confidence })
  }
  return predictions
}

async function judgeRelevance(input: Parameters<typeof bankingRubricScores>[0], policy: ReplyPolicy): Promise<RelevanceScore & { note?: string }> {
  const { test } = input.dataset
  const { testPredictions } = input.evaluation
  const gold = test.map((example) => example.label)
  const endpoint = llmEndpointFromEnv(input.env ?? process.env)
  if ('skipped' in endpoint) return relevanceByRubric(policy, gold, testPredictions)
  const sample = seededShuffle(test.map((example, index) => ({ text: example.text, prediction: testPredictions[index]! })), input.seed).slice(0, JUDGE_SAMPLE_SIZE)
  const retry = { maxRetries: DEFAULT_LLM_API_OPTIONS.maxRetries, initialBackoffMs: DEFAULT_LLM_API_OPTIONS.initialBackoffMs, maxBackoffMs: DEFAULT_LLM_API_OPTIONS.maxBackoffMs, requestTimeoutMs: DEFAULT_LLM_API_OPTIONS.requestTimeoutMs }
  try {
    return await relevanceByLlmJudge({
      model: endpoint.model,
      policy,
      items: sample,
      concurrency: DEFAULT_LLM_API_OPTIONS.concurrency,
      complete: async (messages) => (await createChatCompletion(endpoint, { messages, temperature: 0, maxTokens: 8 }, retry, input.signal)).content,
    })
  } catch (error) {
    input.signal?.throwIfAborted()
    const note = `the LLM judge failed (${error instanceof Error ? error.message : String(error)}); the deterministic rubric scored instead`
    input.log(note)
    return { ...relevanceByRubric(policy, gold, testPredictions), note }
  }
}
