/**
 * A generate run's text generator, rebuilt from what the generate job saved
 * (containers/trainer/generate.ts): generate/generator.json, the decoder the run trained
 * from scratch as an HF checkpoint with its tokenizer (generate/model/), and for LoRA the
 * PEFT adapter on top of it (generate/adapter/), every file checked against the sha256 the
 * run recorded, LoRA merged into the decoder's weights where asked, as a classifier run's
 * model is (run-classifier.ts).
 */
import { getRun, ProblemError, type ArtifactStore, type Database, type RunRow } from '@bankbench/core'
import { loadCheckpoint, loadGenerator, mergeLora, type AdapterFiles, type GeneratorDecoding, type SavedGenerator, type TextGenerator } from '@bankbench/engine'
import { verifiedRunArtifacts, type VerifiedRunArtifacts } from './artifact-integrity'
import { checkpointFiles } from './checkpoint-files'

/** generate/generator.json: what a generate job saves beside the decoder. */
export interface GeneratorManifest extends GeneratorDecoding {
  /** The run's method (generate-lora, generate-full). */
  method: string
  /** The dataset's intent labels, in label order. */
  labels: string[]
  /** The text the generator was trained to write for each label, in label order (`card_arrival` → 'card arrival'). */
  labelTexts: string[]
  /**
   * What it writes for a message (the arm's `target`; absent in runs saved before it existed: 'intent'). A 'reply'
   * generator writes the bank's reply: it is no intent classifier, and serving refuses to deploy it.
   */
  target?: 'intent' | 'reply'
}

export const GENERATOR_FILES = {
  manifest: 'generate/generator.json',
  /** The decoder's HF checkpoint folder: config.json, model.safetensors, tokenizer.json. */
  model: 'generate/model/',
  adapterConfig: 'generate/adapter/adapter_config.json',
  adapterWeights: 'generate/adapter/adapter_model.safetensors',
} as const

/** The generate job's artifacts (name → body) for a saved generator and its manifest. */
export async function generatorArtifacts(saved: SavedGenerator, manifest: Omit<GeneratorManifest, keyof GeneratorDecoding>): Promise<Map<string, Uint8Array | string>> {
  const files = new Map<string, Uint8Array | string>()
  for (const [name, body] of await checkpointFiles(saved.checkpoint)) files.set(`${GENERATOR_FILES.model}${name}`, body)
  if (saved.adapter) {
    files.set(GENERATOR_FILES.adapterConfig, `${JSON.stringify(saved.adapter['adapter_config.json'], null, 2)}\n`)
    files.set(GENERATOR_FILES.adapterWeights, saved.adapter['adapter_model.safetensors'])
  }
  files.set(GENERATOR_FILES.manifest, JSON.stringify({ ...manifest, ...saved.decoding } satisfies GeneratorManifest))
  return files
}

export interface RunGenerator {
  generator: TextGenerator
  manifest: GeneratorManifest
  /** The weights file serving answers with (the adapter's, or the whole decoder's) and its recorded sha256. */
  weights: string
  weightsSha256: string
  /** Whether LoRA was folded into the decoder's weights. */
  merged: boolean
}

/**
 * Rebuilds a generate run's generator from its verified artifacts; a run without them is a
 * 409 problem naming the missing file. `merge` (default true) folds a LoRA adapter into the weights.
 */
export async function loadEngineGenerator(run: Pick<RunRow, 'id' | 'method'>, recorded: VerifiedRunArtifacts, options: { merge?: boolean } = {}): Promise<RunGenerator> {
  const read = async (name: string) => {
    const bytes = await recorded.read(name)
    if (!bytes) throw new ProblemError('invalid-state', `run ${run.id} (${run.method}) has no ${name}: it saved no generator`)
    return bytes
  }
  const json = async (name: string) => JSON.parse(new TextDecoder().decode(await read(name))) as unknown
  const manifest = await json(GENERATOR_FILES.manifest) as GeneratorManifest
  const config = recorded.artifacts.get(`${GENERATOR_FILES.model}config.json`)
  if (!config) throw new ProblemError('invalid-state', `run ${run.id} (${run.method}) has no ${GENERATOR_FILES.model}config.json: it saved no generator`)
  const checkpoint = await loadCheckpoint(`artifacts://${config.key.slice(0, -'config.json'.length)}`, { fetchFile: recorded.fetchFile('artifacts://') })
  const hasAdapter = recorded.artifacts.has(GENERATOR_FILES.adapterWeights)
  const adapter: AdapterFiles | null = hasAdapter
    ? { 'adapter_config.json': await json(GENERATOR_FILES.adapterConfig) as Record<string, unknown>, 'adapter_model.safetensors': await read(GENERATOR_FILES.adapterWeights) }
    : null
  const generator = loadGenerator(checkpoint, adapter, manifest)
  const merged = (options.merge ?? true) && hasAdapter
  if (merged) mergeLora(generator.model)
  const weights = hasAdapter ? GENERATOR_FILES.adapterWeights : `${GENERATOR_FILES.model}model.safetensors`
  return { generator, manifest, weights, weightsSha256: recorded.artifacts.get(weights)?.sha256 ?? '', merged }
}

/** A succeeded generate run's generator by run id (a 409 problem for a run that has not succeeded or saved none). */
export async function loadRunGenerator(db: Database, store: ArtifactStore, runId: string, options: { merge?: boolean } = {}): Promise<RunGenerator> {
  const run = await getRun(db, runId)
  if (run.status !== 'succeeded') throw new ProblemError('invalid-state', `run ${runId} is ${run.status}: only a succeeded run's model can be loaded`)
  return loadEngineGenerator(run, await verifiedRunArtifacts(db, store, runId), options)
}
