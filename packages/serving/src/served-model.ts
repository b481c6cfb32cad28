/**
 * A run's classifier as the endpoint serves it. An engine run's is rebuilt from what
 * the train job saved (classifier.json, the PEFT adapter or the whole model) on top of
 * its base model, with LoRA merged into the base weights where the method allows (one
 * matrix product per layer instead of three). A baseline run's is its saved model.json
 * (baseline-model.ts). A hybrid run's is its classifier run's model beside a store of the
 * training embeddings (hybrid-model.ts). A generate run's is its decoder writing intent
 * names (generator-model.ts). A slots run's is the multi-label intent classifier it saved under
 * intents/, whose predictions carry every intent above its threshold. All answer through one `IntentPredictor`.
 */
import { ProblemError, type ArtifactStore, type Database, getRun } from '@bankbench/core'
import { initBackend, type BackendInfo } from '@bankbench/engine'
import {
  CLASSIFIER_MANIFEST_FILE, GENERATOR_FILES, loadEngineClassifier, loadEngineGenerator, MULTI_LABEL_INTENTS_PREFIX, verifiedRunArtifacts, type GeneratorManifest,
} from '@bankbench/model-store'
import { BASELINE_MODEL_FILE, loadBaselineModel } from './baseline-model'
import { generatorPredictor } from './generator-model'
import { HYBRID_MODEL_FILE, loadHybridModel } from './hybrid-model'
import { choosePredictor, type IntentPredictor, type ServingRuntime } from './predictor'

export interface ServedModel {
  runId: string
  method: string
  /** sha256 of the adapter weights (or of the whole model's weights; of model.json for a baseline). */
  modelSha256: string
  predictor: IntentPredictor
  /** Whether LoRA was folded into the base weights (by merging, or in the ONNX export). */
  merged: boolean
  /**
   * What runs the forward pass: `onnxruntime`, or the engine's tfjs backend as
   * `wasm + native BatchMatMul` (the same choice training makes, initBackend); for a
   * baseline, `in-process` or the frozen encoder's backend (baseline-model.ts).
   */
  backend: string
  /** Why the engine serves although ONNX Runtime was allowed (a method that does not export, say). */
  engineReason?: string
}

/**
 * Loads a succeeded run's classifier: an engine run's (classifier.json), a generate run's
 * (generate/generator.json) or a baseline's (model.json); a run without a usable model is a 409 problem naming what is missing.
 * `merge` and `runtime` apply to engine runs (a baseline runs its own code).
 */
export async function loadServedModel(db: Database, store: ArtifactStore, runId: string, options: { merge?: boolean; runtime?: ServingRuntime } = {}): Promise<ServedModel> {
  // Without it tfjs would run on its default backend, plain JS, whatever this machine offers.
  const engineBackend = describeBackend(await initBackend())
  const run = await getRun(db, runId)
  if (run.status !== 'succeeded') throw new ProblemError('invalid-state', `run ${runId} is ${run.status}: only a succeeded run can be deployed`)
  // Every file is loaded only as the run recorded it (its sha256 in run_artifacts): ArtifactIntegrityError otherwise.
  const recorded = await verifiedRunArtifacts(db, store, runId)
  const artifacts = recorded.artifacts
  const read = async (name: string) => {
    const bytes = await recorded.read(name)
    if (!bytes) throw new ProblemError('invalid-state', `run ${runId} (${run.method}) has no ${name}: it saved no servable classifier`)
    return bytes
  }
  if (artifacts.has(HYBRID_MODEL_FILE)) {
    // The classifier it mixes loads as it would be deployed on its own (with the same merge and runtime choices).
    const hybrid = await loadHybridModel(db, store, runId, await read(HYBRID_MODEL_FILE), (classifierRunId) => loadServedModel(db, store, classifierRunId, options))
    return { runId, method: run.method, modelSha256: artifacts.get(HYBRID_MODEL_FILE)!.sha256, ...hybrid }
  }
  if (!artifacts.has('classifier.json') && artifacts.has(BASELINE_MODEL_FILE)) {
    const baseline = await loadBaselineModel(db, store, run, await read(BASELINE_MODEL_FILE), engineBackend)
    return { runId, method: run.method, modelSha256: artifacts.get(BASELINE_MODEL_FILE)!.sha256, merged: false, ...baseline }
  }
  if (artifacts.has(GENERATOR_FILES.manifest)) {
    const manifest = JSON.parse(new TextDecoder().decode(await read(GENERATOR_FILES.manifest))) as GeneratorManifest
    if (manifest.target === 'reply') {
      throw new ProblemError('invalid-state', `run ${runId} (${run.method}) was trained with target 'reply': it writes the bank's reply, not an intent name, `
        + 'so it is no intent classifier and cannot be deployed; deploy a run with target \'intent\'')
    }
    const loaded = await loadEngineGenerator(run, recorded, { merge: options.merge })
    return {
      runId, method: run.method, modelSha256: loaded.weightsSha256, predictor: generatorPredictor(loaded), merged: loaded.merged, backend: engineBackend,
      engineReason: 'a generator decodes token by token with its key/value cache on the engine; it has no ONNX export',
    }
  }
  // The engine run's model (model-store's loadEngineClassifier: also what a run's fine-tuned encoder loads from);
  // a slots run has no classifier at its root (its tagger finds slots, not intents) but may have its multi-label one.
  const multiLabelOnly = !artifacts.has(CLASSIFIER_MANIFEST_FILE) && artifacts.has(`${MULTI_LABEL_INTENTS_PREFIX}${CLASSIFIER_MANIFEST_FILE}`)
  const { classifier, method, weights, merged } = await loadEngineClassifier(db, store, run, recorded, { merge: options.merge, prefix: multiLabelOnly ? MULTI_LABEL_INTENTS_PREFIX : '' })
  const { predictor, engineReason } = await choosePredictor(classifier, options.runtime)
  const backend = predictor.runtime === 'onnxruntime' ? 'onnxruntime' : engineBackend
  return { runId, method, modelSha256: artifacts.get(weights)!.sha256, predictor, merged, backend, ...(engineReason && { engineReason }) }
}

function describeBackend({ name, nativeKernels }: BackendInfo): string {
  return nativeKernels.length > 0 ? `${name} + native ${nativeKernels.join(', ')}` : name
}

