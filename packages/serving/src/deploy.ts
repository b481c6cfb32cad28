/**
 * Deploying a run to a stage: the model is loaded from the artifact store and must
 * pass a smoke check BEFORE the stage switches to it; the out-of-scope threshold is
 * calibrated on the run's validation split at the same time, and measured on its test
 * split (false-reject rate, and out-of-scope recall when the dataset marks out-of-scope
 * messages).
 */
import {
  activateDeployment, buildComparison, isServable, METHOD_NAMES, constraintsOf, getBenchmark, getDataset, getRun, listRunsOfBenchmark, loadDatasetSplits,
  loadPriceTable, ProblemError, recommend, seededShuffle, type ArtifactStore, type ConstraintName, type Database, type DeploymentRow, type Example,
} from '@bankbench/core'
import { calibrateThreshold, measureThreshold, type ScoredPrediction } from './calibration'
import type { ModelCache } from './model-cache'
import type { IntentPredictor } from './predictor'
import { loadServedModel } from './served-model'

export interface DeploymentRequest {
  stage: string
  /** A run id, or the run a benchmark's recommendation names. */
  target: { runId: string } | { benchmarkId: string; recommended: true }
  settings?: { outOfScopeThreshold?: number | undefined; topK?: number | undefined; targetFalseRejectRate?: number | undefined }
}

/** What a deployment of a benchmark's recommendation served, and what it misses of the success criteria. */
export interface DeployedRecommendation {
  benchmarkId: string
  method: string
  configLabel: string
  /** Whether it meets every success criterion that applies to it. */
  meetsAll: boolean
  missedCriteria: ConstraintName[]
  /** Each missed criterion in words. */
  misses: string[]
  /** Whether it is the recommendation's best candidate (false: the best one cannot be served, this is the best-ranked one that can). */
  isBest: boolean
  rule: string
}

export const DEFAULT_TOP_K = 3
export const DEFAULT_TARGET_FALSE_REJECT_RATE = 0.05
/** Validation texts the smoke check classifies both ways. */
const SMOKE_CHECK_TEXTS = 8
/** Merging LoRA reorders float sums: confidences may differ by rounding, labels may not. */
const SMOKE_CHECK_TOLERANCE = 1e-4
/**
 * Test messages of each kind (in scope, out of scope) the deployed threshold is measured on:
 * a seeded sample above this, so that a deployment on a large test split stays quick
 * (±0.7 points of standard error on a 5% false-reject rate).
 */
export const THRESHOLD_TEST_MESSAGES = 1000
const THRESHOLD_TEST_SEED = 1000

/** The deployment made; with `recommendation` when the target was a benchmark's recommendation. */
export type DeployedRun = DeploymentRow & { recommendation?: DeployedRecommendation }

export async function deployRun(services: { db: Database; store: ArtifactStore; models: ModelCache }, request: DeploymentRequest): Promise<DeployedRun> {
  const { db, store, models } = services
  const recommended = 'runId' in request.target ? null : await recommendedRun(db, request.target.benchmarkId)
  const runId = 'runId' in request.target ? request.target.runId : recommended!.runId
  const run = await getRun(db, runId)
  const dataset = await getDataset(db, (await getBenchmark(db, run.benchmarkId)).datasetId)
  const { validation, test, outOfScope } = await loadDatasetSplits(store, dataset)

  const served = await models.get(db, store, runId)
  const { predictor } = served.model
  if (predictor.multiLabel) {
    // Calibration and the smoke check weigh one intent per message against the benchmark's single-label splits, and
    // the classify API answers one intent: a label set needs its own (NLU++) splits and response field first.
    throw new ProblemError('invalid-state', `run ${runId} (${run.method}) is a multi-label intent classifier (every intent above its threshold per message): `
      + 'deployments calibrate and serve one intent per message, so it cannot be deployed; load it with loadServedModel to predict its intent sets')
  }
  const smokeCheck = await smokeCheckAgainstEngine(db, store, runId, predictor, validation.slice(0, SMOKE_CHECK_TEXTS).map((row) => row.text))
  const validationScores = await score(predictor, validation, outOfScope?.validation ?? [])
  const calibration = calibrateThreshold(validationScores.inScope, request.settings?.targetFalseRejectRate ?? DEFAULT_TARGET_FALSE_REJECT_RATE, validationScores.outOfScope)
  const outOfScopeThreshold = request.settings?.outOfScopeThreshold ?? calibration.threshold
  // The threshold served (calibrated or set), measured on messages the calibration never saw.
  const testScores = await score(predictor, sample(test), sample(outOfScope?.test ?? []))
  const measured = measureThreshold(testScores.inScope, testScores.outOfScope, outOfScopeThreshold, calibration.basis)
  const deployment = await activateDeployment(db, {
    stage: request.stage,
    runId,
    modelSha256: served.model.modelSha256,
    settings: {
      outOfScopeThreshold,
      topK: request.settings?.topK ?? DEFAULT_TOP_K,
      targetFalseRejectRate: calibration.targetFalseRejectRate,
    },
    calibration: { ...calibration, test: { ...measured, ...(test.length > measured.inScopeExamples && { sampledFrom: test.length }) } },
    smokeCheck: {
      ...smokeCheck, loadMs: served.loadMs, mergedLora: served.model.merged, backend: served.model.backend,
      ...(served.model.engineReason && { engineReason: served.model.engineReason }),
    },
  })
  return recommended ? { ...deployment, recommendation: recommended.recommendation } : deployment
}

/**
 * The served model (LoRA merged, exported to ONNX Runtime where it can be) must
 * predict what the engine predicts from the saved files as they are (adapter
 * applied, not merged); a baseline, what a second load of its saved model predicts.
 * A mismatch refuses the switch.
 */
async function smokeCheckAgainstEngine(db: Database, store: ArtifactStore, runId: string, served: IntentPredictor, texts: string[]) {
  const reference = await loadServedModel(db, store, runId, { merge: false, runtime: 'engine' })
  try {
    const expected = await reference.predictor.predict(texts)
    const actual = await served.predict(texts)
    const mismatches = actual.filter((prediction, index) =>
      prediction.label !== expected[index]!.label || Math.abs(prediction.confidence - expected[index]!.confidence) > SMOKE_CHECK_TOLERANCE)
    if (mismatches.length > 0 || texts.length === 0) {
      throw new ProblemError('invalid-state', `the smoke check failed: the served model disagrees with the engine on ${mismatches.length} of ${texts.length} validation texts; the stage was not switched`)
    }
    return { texts: texts.length, passed: true }
  } finally {
    await reference.predictor.dispose()
  }
}

/** The predictor's confidence on each in-scope message (and whether it was right), and on each out-of-scope one. */
async function score(predictor: IntentPredictor, inScope: readonly Example[], outOfScope: readonly string[]): Promise<{ inScope: ScoredPrediction[]; outOfScope: number[] }> {
  const predictions = await predictor.predict([...inScope.map((row) => row.text), ...outOfScope])
  return {
    inScope: inScope.map((row, index) => ({ confidence: predictions[index]!.confidence, correct: predictions[index]!.label === row.label })),
    outOfScope: predictions.slice(inScope.length).map((prediction) => prediction.confidence),
  }
}

/** At most THRESHOLD_TEST_MESSAGES, a seeded sample when there are more. */
function sample<T>(rows: readonly T[]): T[] {
  return rows.length <= THRESHOLD_TEST_MESSAGES ? [...rows] : seededShuffle([...rows], THRESHOLD_TEST_SEED).slice(0, THRESHOLD_TEST_MESSAGES)
}

/**
 * The run a benchmark's recommendation deploys: the best-ranked candidate that can be served
 * (an engine run, or a baseline that saves a classifier: TF-IDF, the frozen probe, …), even when
 * it misses some criteria (it says which); of its runs, the one with the highest validation
 * accuracy. Only when no candidate can be served is it a 409.
 */
async function recommendedRun(db: Database, benchmarkId: string): Promise<{ runId: string; recommendation: DeployedRecommendation }> {
  const benchmark = await getBenchmark(db, benchmarkId)
  const runs = await listRunsOfBenchmark(db, benchmark.id)
  const { best, candidates, rule } = recommend(buildComparison(benchmark, runs, {}, loadPriceTable()), constraintsOf(benchmark.spec))
  if (!best) {
    throw new ProblemError('invalid-state', `benchmark ${benchmarkId} has no run that can be served: no run other than pretraining has succeeded (pretraining runs are never candidates)`)
  }
  const chosen = candidates.find((candidate) => candidate.servable)
  if (!chosen) {
    throw new ProblemError('invalid-state', `benchmark ${benchmarkId} has no run that can be served: its succeeded runs (${candidates.map((candidate) => candidate.method).join(', ')}) `
      + `save no classifier; only runs of ${METHOD_NAMES.filter(isServable).join(', ')} can be deployed`)
  }
  const validationAccuracy = (id: string) => Number(runs.find((run) => run.id === id)?.summary?.validationAccuracy ?? -1)
  const runId = [...chosen.runIds].sort((a, b) => validationAccuracy(b) - validationAccuracy(a))[0]!
  return {
    runId,
    recommendation: {
      benchmarkId: benchmark.id, method: chosen.method, configLabel: chosen.configLabel, meetsAll: chosen.meetsAll,
      missedCriteria: chosen.missedCriteria, misses: chosen.misses, isBest: chosen.method === best.method, rule,
    },
  }
}
