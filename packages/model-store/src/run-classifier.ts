/**
 * An engine-trained run's classifier, rebuilt from what the train job saved (classifier.json,
 * then the PEFT adapter on top of its base model, or the whole fine-tuned model), every file
 * checked against the sha256 the run recorded. What serving deploys (loadServedModel) and what
 * the vector stores take a fine-tuned encoder from (`encoder: 'run:<id>'`): the same model,
 * LoRA merged into the base weights where asked.
 */
import { getRun, ProblemError, type ArtifactStore, type Database, type RunRow } from '@bankbench/core'
import { loadCheckpoint, loadIntentClassifier, mergeLora, type AdapterFiles, type IntentClassifier } from '@bankbench/engine'
import { verifiedRunArtifacts, type VerifiedRunArtifacts } from './artifact-integrity'
import { resolveBaseModel } from './base-model'

/** classifier.json: what a train job saves beside its weights. */
export interface ClassifierManifest {
  baseModel: string
  method: string
  labels: string[]
  maxLength: number
  /** QLoRA: the adapter loads onto the 4-bit base it was trained on. */
  quantizationConfig?: Record<string, unknown>
  /** A multi-label classifier (NLU++'s intents): a sigmoid per label, every label above `threshold` is predicted. */
  multiLabel?: boolean
  /** The multi-label sigmoid threshold, tuned on validation. */
  threshold?: number
}

export const CLASSIFIER_MANIFEST_FILE = 'classifier.json'

/**
 * Where a slots run keeps the multi-label intent classifier it trains beside its tagger (the tagger has slots/):
 * the same files as a train run's, under this folder, so that one loader (loadEngineClassifier's `prefix`) reads both.
 */
export const MULTI_LABEL_INTENTS_PREFIX = 'intents/'

export interface RunClassifier {
  classifier: IntentClassifier
  /** The method classifier.json names. */
  method: string
  /** The weights file the run saved (`adapter/adapter_model.safetensors` or `model/model.safetensors`) and its recorded sha256. */
  weights: string
  weightsSha256: string
  /** Whether LoRA was folded into the base weights. */
  merged: boolean
}

/**
 * Rebuilds an engine run's classifier from its verified artifacts (`recorded`); a run without
 * a manifest or weights is a 409 problem naming the missing file. `merge` (default true) folds
 * a LoRA run's adapter into the base weights. `prefix`: the folder the files are under
 * (MULTI_LABEL_INTENTS_PREFIX for a slots run's intents; default the run's root).
 */
export async function loadEngineClassifier(db: Database, store: ArtifactStore, run: Pick<RunRow, 'id' | 'method'>, recorded: VerifiedRunArtifacts,
  options: { merge?: boolean; prefix?: string } = {}): Promise<RunClassifier> {
  const prefix = options.prefix ?? ''
  const read = async (file: string) => {
    const name = `${prefix}${file}`
    const bytes = await recorded.read(name)
    if (!bytes) throw new ProblemError('invalid-state', `run ${run.id} (${run.method}) has no ${name}: it saved no servable classifier`)
    return bytes
  }
  const manifest = JSON.parse(new TextDecoder().decode(await read(CLASSIFIER_MANIFEST_FILE))) as ClassifierManifest
  const loadOptions = {
    labels: manifest.labels, maxLength: manifest.maxLength, quantizationConfig: manifest.quantizationConfig ?? null,
    // A manifest from before multi-label runs were saved has neither field: a softmax classifier.
    multiLabel: manifest.multiLabel ? { threshold: manifest.threshold ?? 0.5 } : null,
  }
  const artifacts = recorded.artifacts
  let classifier: IntentClassifier
  let weights: string
  if (artifacts.has(`${prefix}adapter/adapter_model.safetensors`)) {
    weights = `${prefix}adapter/adapter_model.safetensors`
    const adapter: AdapterFiles = {
      'adapter_config.json': JSON.parse(new TextDecoder().decode(await read('adapter/adapter_config.json'))) as Record<string, unknown>,
      'adapter_model.safetensors': await read('adapter/adapter_model.safetensors'),
    }
    classifier = loadIntentClassifier((await resolveBaseModel(store, manifest.baseModel, db)).checkpoint, adapter, loadOptions)
  } else {
    weights = `${prefix}model/model.safetensors`
    if (!artifacts.has(weights)) throw new ProblemError('invalid-state', `run ${run.id} (${run.method}) has no ${weights}: it saved no servable classifier`)
    const runRoot = artifacts.get(weights)!.key.slice(0, -'model.safetensors'.length)
    classifier = loadIntentClassifier(await loadCheckpoint(`artifacts://${runRoot}`, { fetchFile: recorded.fetchFile('artifacts://') }), null, loadOptions)
  }
  const merged = (options.merge ?? true) && manifest.method === 'lora'
  if (merged) mergeLora(classifier.model)
  return { classifier, method: manifest.method, weights, weightsSha256: artifacts.get(weights)!.sha256, merged }
}

/**
 * A succeeded engine run's classifier by run id: a 409 problem for a run that has not
 * succeeded, or that saved no engine classifier (a baseline, such as TF-IDF + logistic
 * regression, or a hybrid: no encoder of its own).
 */
export async function loadRunClassifier(db: Database, store: ArtifactStore, runId: string, options: { merge?: boolean } = {}): Promise<RunClassifier> {
  const run = await getRun(db, runId)
  if (run.status !== 'succeeded') throw new ProblemError('invalid-state', `run ${runId} is ${run.status}: only a succeeded run's model can be loaded`)
  const recorded = await verifiedRunArtifacts(db, store, runId)
  if (!recorded.artifacts.has(CLASSIFIER_MANIFEST_FILE)) throw new ProblemError('invalid-state', `run ${runId} (${run.method}) saved no fine-tuned model (no ${CLASSIFIER_MANIFEST_FILE}): it has no encoder of its own`)
  return loadEngineClassifier(db, store, run, recorded, options)
}
