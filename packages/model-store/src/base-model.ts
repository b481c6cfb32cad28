/**
 * Where a base model comes from: the benchmark's `baseModel`, by default the shipped
 * `bankbench-mini`, or the local backbone an `mlm-pretrain` run left in the artifact
 * store. Train jobs resolve it before training, serving before loading an adapter onto it.
 * What a run records (`nameOrPath`) is pinned to exact bytes: `bankbench-mini@<digest>`
 * or `run:<id>` of the pretrain run that made it, so a later build or pretraining never
 * changes what a deployment loads.
 */
import { ArtifactNotFoundError, listRunArtifacts, listRunsOfBenchmark, type ArtifactStore, type Database } from '@bankbench/core'
import { loadCheckpoint, type Checkpoint, type FetchFile } from '@bankbench/engine'
import { verifiedCopyReader, verifiedRunArtifacts } from './artifact-integrity'
import { loadPinnedBaseModel, parsePinnedBaseModel, publishShippedBaseModel, SHIPPED_BASE_MODEL } from './shipped-base-model'

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
 * `bankbench-mini` (the default: shipped with the project, published to the store under
 * its digest), `bankbench-mini@<digest>` (that exact version), `local-backbone` (the
 * latest mlm-pretrain run's), `run:<id>` (that pretrain run's model), a folder path or
 * `file://…`, `s3://…` inside the run's artifact store, or `hf://org/name` (needs the hub:
 * fails clearly offline). Every bankbench-made model is checked byte for byte against the
 * sha256 recorded for it (ArtifactIntegrityError on a mismatch); the other sources are
 * checkpoints from outside bankbench, with no recorded hash to check.
 */
export async function resolveBaseModel(store: ArtifactStore, baseModel: string | undefined, db: Database): Promise<BaseModel> {
  const source = baseModel ?? SHIPPED_BASE_MODEL
  if (source === SHIPPED_BASE_MODEL) {
    const { pinned, checkpoint } = await publishShippedBaseModel(store, source)
    return { checkpoint, nameOrPath: pinned }
  }
  const pinned = parsePinnedBaseModel(source)
  if (pinned) return { checkpoint: await loadPinnedBaseModel(store, pinned.name, pinned.digest), nameOrPath: source }
  if (source.startsWith(PRETRAIN_RUN)) return { checkpoint: await loadPretrainRunModel(db, store, source.slice(PRETRAIN_RUN.length)), nameOrPath: source }
  if (source === LOCAL_BACKBONE) {
    if (!(await store.exists(`${LOCAL_BACKBONE_PREFIX}config.json`))) {
      throw new Error(`No local backbone in the artifact store (${store.uri}/${LOCAL_BACKBONE_PREFIX}). ` +
        `Run a benchmark with an mlm-pretrain arm first, or leave baseModel out to use the shipped ${SHIPPED_BASE_MODEL}.`)
    }
    const { fetchFile, runId } = await localBackboneReader(db, store)
    // Pinned to the run that published it: the next pretraining replaces the local backbone, not this run's base.
    return { checkpoint: await loadCheckpoint(`artifacts://${LOCAL_BACKBONE_PREFIX}`, { fetchFile }), nameOrPath: `${PRETRAIN_RUN}${runId}` }
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

/** `run:<id>`: the model a pretrain run recorded as `model/<name>`. */
const PRETRAIN_RUN = 'run:'

async function loadPretrainRunModel(db: Database, store: ArtifactStore, runId: string): Promise<Checkpoint> {
  const recorded = await verifiedRunArtifacts(db, store, runId)
  const config = recorded.artifacts.get('model/config.json')
  if (!config) throw new Error(`baseModel run:${runId}: that run recorded no model (model/config.json); name an mlm-pretrain run that succeeded`)
  return loadCheckpoint(`artifacts://${config.key.slice(0, -'config.json'.length)}`, { fetchFile: recorded.fetchFile('artifacts://') })
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
async function localBackboneReader(db: Database, store: ArtifactStore): Promise<{ fetchFile: FetchFile; runId: string }> {
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
  const fetchFile = verifiedCopyReader(store, 'artifacts://', LOCAL_BACKBONE_PREFIX, (name) => {
    const sha256 = recorded.get(name)
    return sha256 === undefined ? undefined : { sha256, whose: `the local backbone's ${name}, recorded as 'model/${name}' of run ${runId}` }
  })
  return { fetchFile, runId }
}

/**
 * The base model a benchmark's runs train on: its `baseModel`, else the local backbone when
 * the benchmark has an `mlm-pretrain` arm (its pretrain job runs first, continuing from the
 * shipped model on the dataset's training text), else the shipped `bankbench-mini`.
 */
export async function benchmarkBaseModel(db: Database, benchmark: { id: string; spec: { baseModel?: string } }): Promise<string> {
  if (benchmark.spec.baseModel) return benchmark.spec.baseModel
  const runs = await listRunsOfBenchmark(db, benchmark.id)
  return runs.some((run) => run.method === 'mlm-pretrain') ? LOCAL_BACKBONE : SHIPPED_BASE_MODEL
}
