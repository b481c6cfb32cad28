/**
 * Deploying a run to a stage: the model is loaded from the artifact store and must
 * pass a smoke check BEFORE the stage switches to it; the out-of-scope threshold is
 * calibrated on the run's validation split at the same time.
 */
import {
  activateDeployment, buildComparison, isServable, METHOD_NAMES, constraintsOf, getBenchmark, getDataset, getRun, listRunsOfBenchmark, loadDatasetSplits,
  loadPriceTable, ProblemError, recommend, type ArtifactStore, type ConstraintName, type Database, type DeploymentRow,
} from '@bankbench/core'
import { calibrateThreshold, type Calibration } from './calibration'
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

/** The deployment made; with `recommendation` when the target was a benchmark's recommendation. */
export type DeployedRun = DeploymentRow & { recommendation?: DeployedRecommendation }

export async function deployRun(services: { db: Database; store: ArtifactStore; models: ModelCache }, request: DeploymentRequest): Promise<DeployedRun> {
  const { db, store, models } = services
  const recommended = 'runId' in request.target ? null : await recommendedRun(db, request.target.benchmarkId)
  const runId = 'runId' in request.target ? request.target.runId : recommended!.runId
  const run = await getRun(db, runId)
  const dataset = await getDataset(db, (await getBenchmark(db, run.benchmarkId)).datasetId)
  const { validation } = await loadDatasetSplits(store, dataset)

  const served = await models.get(db, store, runId)
  const smokeCheck = await smokeCheckAgainstEngine(db, store, runId, served.model.predictor, validation.slice(0, SMOKE_CHECK_TEXTS).map((row) => row.text))
  const calibration = await calibrate(served.model.predictor, validation, request.settings?.targetFalseRejectRate ?? DEFAULT_TARGET_FALSE_REJECT_RATE)
  const deployment = await activateDeployment(db, {
    stage: request.stage,
    runId,
    modelSha256: served.model.modelSha256,
    settings: {
      outOfScopeThreshold: request.settings?.outOfScopeThreshold ?? calibration.threshold,
      topK: request.settings?.topK ?? DEFAULT_TOP_K,
      targetFalseRejectRate: calibration.targetFalseRejectRate,
    },
    calibration: { ...calibration },
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
 * applied, not merged); a mismatch refuses the switch.
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

async function calibrate(predictor: IntentPredictor, validation: readonly { text: string; label: string }[], target: number): Promise<Calibration> {
  const predictions = await predictor.predict(validation.map((row) => row.text))
  return calibrateThreshold(predictions.map((prediction, index) => ({ confidence: prediction.confidence, correct: prediction.label === validation[index]!.label })), target)
}

/**
 * The run a benchmark's recommendation deploys: the best-ranked candidate that can be served
 * (an engine run), even when it misses some criteria (it says which); of its runs, the one with
 * the highest validation accuracy. Only when no candidate can be served is it a 409.
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
    throw new ProblemError('invalid-state', `benchmark ${benchmarkId} has no run that can be served: its succeeded runs are all baselines (${candidates.map((candidate) => candidate.method).join(', ')}), `
      + `which save no classifier; only fine-tuned engine runs (${METHOD_NAMES.filter(isServable).join(', ')}) can be deployed`)
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
