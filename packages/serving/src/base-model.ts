/**
 * Where a base model comes from: the benchmark's `baseModel`, or, when it is absent,
 * the local backbone that an `mlm-pretrain` run left in the artifact store. Train
 * jobs resolve it before training, serving before loading an adapter onto it.
 */
import { ArtifactNotFoundError, type ArtifactStore } from '@bankbench/core'
import { loadCheckpoint, type Checkpoint, type FetchFile } from '@bankbench/engine'

/** Where an `mlm-pretrain` run publishes its checkpoint and where train jobs look for it by default. */
export const LOCAL_BACKBONE_PREFIX = 'models/local-backbone/'
export const LOCAL_BACKBONE = 'local-backbone'

export interface BaseModel {
  checkpoint: Checkpoint
  /** The source as PEFT records it (`base_model_name_or_path`). */
  nameOrPath: string
}

/**
 * `local-backbone` (the default), a folder path or `file://…`, `s3://…` inside the
 * run's artifact store, or `hf://org/name` (needs the hub: fails clearly offline).
 */
export async function resolveBaseModel(store: ArtifactStore, baseModel: string | undefined): Promise<BaseModel> {
  const source = baseModel ?? LOCAL_BACKBONE
  if (source === LOCAL_BACKBONE) {
    if (!(await store.exists(`${LOCAL_BACKBONE_PREFIX}config.json`))) {
      throw new Error(`No local backbone in the artifact store (${store.uri}/${LOCAL_BACKBONE_PREFIX}). ` +
        'Run a benchmark with an mlm-pretrain arm first, or set baseModel to a file://, s3:// or hf:// checkpoint.')
    }
    return { checkpoint: await loadCheckpoint(`artifacts://${LOCAL_BACKBONE_PREFIX}`, { fetchFile: storeReader(store, 'artifacts://') }), nameOrPath: LOCAL_BACKBONE }
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
