/**
 * Where a base model comes from: the benchmark's `baseModel`, or, when it is absent,
 * the local backbone that an `mlm-pretrain` run left in the artifact store. Train
 * jobs resolve it before training, serving before loading an adapter onto it.
 */
import { ArtifactNotFoundError, listRunArtifacts, type ArtifactStore, type Database } from '@bankbench/core'
import { loadCheckpoint, type Checkpoint, type FetchFile } from '@bankbench/engine'
import { verifiedCopyReader } from './artifact-integrity'

/** Where an `mlm-pretrain` run publishes its checkpoint and where train jobs look for it by default. */
export const LOCAL_BACKBONE_PREFIX = 'models/local-backbone/'
export const LOCAL_BACKBONE = 'local-backbone'
/**
 * Beside the published backbone: `{ "runId": … }`, the mlm-pretrain run that published
 * it. Its files are copies of that run's recorded `model/<name>` artifacts, and are
 * loaded only if they still hash to what the run recorded.
 */
export const LOCAL_BACKBONE_PROVENANCE = 'provenance.json'

export interface BaseModel {
  checkpoint: Checkpoint
  /** The source as PEFT records it (`base_model_name_or_path`). */
  nameOrPath: string
}

/**
 * `local-backbone` (the default), a folder path or `file://…`, `s3://…` inside the
 * run's artifact store, or `hf://org/name` (needs the hub: fails clearly offline).
 * The local backbone's files are checked against the sha256 its publishing run
 * recorded (ArtifactIntegrityError on a mismatch); the other sources are checkpoints
 * from outside bankbench, with no recorded hash to check.
 */
export async function resolveBaseModel(store: ArtifactStore, baseModel: string | undefined, db: Database): Promise<BaseModel> {
  const source = baseModel ?? LOCAL_BACKBONE
  if (source === LOCAL_BACKBONE) {
    if (!(await store.exists(`${LOCAL_BACKBONE_PREFIX}config.json`))) {
      throw new Error(`No local backbone in the artifact store (${store.uri}/${LOCAL_BACKBONE_PREFIX}). ` +
        'Run a benchmark with an mlm-pretrain arm first, or set baseModel to a file://, s3:// or hf:// checkpoint.')
    }
    return { checkpoint: await loadCheckpoint(`artifacts://${LOCAL_BACKBONE_PREFIX}`, { fetchFile: await localBackboneReader(db, store) }), nameOrPath: LOCAL_BACKBONE }
  }
  if (source.startsWith('s3://')) {
    const storeRoot = `${store.uri.replace(/\/+$/, '')}/`
    if (!source.startsWith(storeRoot)) {
      throw new Error(`baseModel ${source} is outside this deployment's artifact store (${store.uri}); copy the checkpoint under ${storeRoot}, or use a file:// or hf:// source`)
    }
    return { checkpoint: await loadCheckpoint(source, { fetchFile: storeReader(store, storeRoot) }), nameOrPath: source }
  }
  return { checkpoint: await loadCheckpoint(source), nameOrPath: source }
}

/** Reads `<root><key>` URIs from the store; a missing key is "no such file", which the checkpoint loader probes for. */
export function storeReader(store: ArtifactStore, root: string): FetchFile {
  return async (uri) => {
    try {
      return await store.get(uri.slice(root.length))
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null
      throw error
    }
  }
}

/** Reads the published local backbone, each file verified against its publishing run's recorded `model/<name>`. */
async function localBackboneReader(db: Database, store: ArtifactStore): Promise<FetchFile> {
  const key = `${LOCAL_BACKBONE_PREFIX}${LOCAL_BACKBONE_PROVENANCE}`
  const republish = 'Run a benchmark with an mlm-pretrain arm again to republish it.'
  if (!(await store.exists(key))) {
    throw new Error(`The local backbone (${store.uri}/${LOCAL_BACKBONE_PREFIX}) names no run that published it (no ${LOCAL_BACKBONE_PROVENANCE}), ` +
      `so its files cannot be checked against recorded hashes. ${republish}`)
  }
  let runId: unknown
  try {
    ({ runId } = JSON.parse(new TextDecoder().decode(await store.get(key))) as { runId?: unknown })
  } catch {
    runId = undefined
  }
  if (typeof runId !== 'string') throw new Error(`${key} does not name the run that published the local backbone. ${republish}`)
  const recorded = new Map((await listRunArtifacts(db, runId)).filter((artifact) => artifact.name.startsWith('model/')).map((artifact) => [artifact.name.slice('model/'.length), artifact.sha256]))
  if (recorded.size === 0) throw new Error(`The local backbone names run ${runId} as its publisher, but that run recorded no model files. ${republish}`)
  return verifiedCopyReader(store, 'artifacts://', LOCAL_BACKBONE_PREFIX, (name) => {
    const sha256 = recorded.get(name)
    return sha256 === undefined ? undefined : { sha256, whose: `the local backbone's ${name}, recorded as 'model/${name}' of run ${runId}` }
  })
}
