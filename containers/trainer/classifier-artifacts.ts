/**
 * A fine-tuned intent classifier saved as run artifacts, in the layout serving rebuilds it from
 * (model-store's loadEngineClassifier): the adapter (PEFT layout) or the whole model, and
 * classifier.json, all under one folder. A train run saves its classifier at the run's root; a
 * slots run saves the multi-label intent classifier it trains beside its tagger under
 * MULTI_LABEL_INTENTS_PREFIX.
 */
import type { FineTuned, MultiLabelDecision } from '@bankbench/engine'
import { saveFineTuned } from '@bankbench/engine'
import { checkpointFiles, type ClassifierManifest, type resolveBaseModel } from '@bankbench/model-store'

type BaseModel = Awaited<ReturnType<typeof resolveBaseModel>>

export interface ClassifierArtifactsOptions {
  /** The folder, '' (the run's root) or one ending in '/'. */
  prefix?: string
  /** The engine method classifier.json names: how serving loads the weights (a LoRA adapter is merged). */
  method: string
  /** The labels in class-index order. */
  labels: readonly string[]
  /** A multi-label classifier's decision, recorded so that a reload predicts label sets at the same threshold. */
  multiLabel?: MultiLabelDecision | null
}

/** Saves the weights and classifier.json; returns the weights' size and what serving loads (with the base, for an adapter). */
export async function saveClassifierArtifacts(context: { saveArtifact(name: string, body: Uint8Array | string): Promise<unknown> }, fineTuned: FineTuned, base: BaseModel,
  { prefix = '', method, labels, multiLabel = null }: ClassifierArtifactsOptions): Promise<{ adapterBytes: number; modelBytes: number }> {
  const saved = saveFineTuned(fineTuned, { baseModelNameOrPath: base.nameOrPath })
  let weightsBytes: number
  if (saved.kind === 'adapter') {
    const weights = saved.adapter['adapter_model.safetensors']
    await context.saveArtifact(`${prefix}adapter/adapter_config.json`, `${JSON.stringify(saved.adapter['adapter_config.json'], null, 2)}\n`)
    await context.saveArtifact(`${prefix}adapter/adapter_model.safetensors`, weights)
    weightsBytes = weights.byteLength
  } else {
    const files = await checkpointFiles(saved.checkpoint)
    for (const [name, body] of files) await context.saveArtifact(`${prefix}model/${name}`, body)
    weightsBytes = files.get('model.safetensors')!.byteLength
  }
  // What it takes to rebuild the classifier: labels in class order, the training truncation, for QLoRA the 4-bit
  // settings of the base it trained on (PEFT keeps them out of adapter_config.json), and for a multi-label classifier
  // its threshold (the weights alone do not say that the head is read with sigmoids).
  const quantizationConfig = saved.kind === 'adapter' ? saved.quantizationConfig : null
  const manifest: ClassifierManifest = {
    baseModel: base.nameOrPath, method, labels: [...labels], maxLength: fineTuned.classifier.maxLength,
    ...(quantizationConfig && { quantizationConfig }), ...(multiLabel && { multiLabel: true, threshold: multiLabel.threshold }),
  }
  await context.saveArtifact(`${prefix}classifier.json`, JSON.stringify(manifest))
  const baseBytes = [...base.checkpoint.weights.values()].reduce((sum, tensor) => sum + tensor.bytes.byteLength, 0)
  // Serving needs the base too unless the whole model was saved.
  return { adapterBytes: weightsBytes, modelBytes: saved.kind === 'adapter' ? baseBytes + weightsBytes : weightsBytes }
}
