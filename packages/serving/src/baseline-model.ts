/**
 * A baseline run served: what its job saved as model.json (@bankbench/baselines'
 * loadSavedBaseline reads every kind), run by the baseline's own code in this process.
 * A frozen-feature baseline (frozen-probe, centroid) reads texts through its base model,
 * resolved from the pinned name the run recorded, so a later rebuild of the base model
 * does not change what the deployment answers.
 */
import { loadSavedBaseline, withEncoder } from '@bankbench/baselines'
import { ProblemError, isServable, type ArtifactStore, type Database, type RunRow } from '@bankbench/core'
import { SentenceEncoder } from '@bankbench/engine'
import { resolveBaseModel } from '@bankbench/model-store'
import { baselinePredictor, type IntentPredictor } from './predictor'

/** The file a baseline job saves its model as (containers/trainer/baseline.ts and frozen-features.ts). */
export const BASELINE_MODEL_FILE = 'model.json'

/** Texts per forward pass of a frozen-feature baseline's encoder (a classify batch is at most 64). */
const ENCODER_BATCH_SIZE = 64

export async function loadBaselineModel(db: Database, store: ArtifactStore, run: Pick<RunRow, 'id' | 'method'>, bytes: Uint8Array, engineBackend: string): Promise<{ predictor: IntentPredictor; backend: string }> {
  if (!isServable(run.method)) {
    throw new ProblemError('invalid-state', `run ${run.id} (${run.method}) saved no servable classifier: ${run.method} runs cannot be deployed`)
  }
  const saved = loadSavedBaseline(JSON.parse(new TextDecoder().decode(bytes)))
  if (saved.kind === 'text') return { predictor: baselinePredictor(saved.classifier), backend: 'in-process' }
  const base = await resolveBaseModel(store, saved.encoding.baseModel, db)
  const encoder = SentenceEncoder.fromCheckpoint(base.checkpoint, { maxLength: saved.encoding.maxLength, batchSize: ENCODER_BATCH_SIZE })
  return {
    predictor: baselinePredictor(withEncoder(saved.classifier, (texts) => encoder.embed(texts)), () => encoder.dispose()),
    backend: `${engineBackend} (frozen ${saved.encoding.baseModel} encoder)`,
  }
}
