import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  benchmarkSpecSchema, createBenchmark, FsArtifactStore, listRunsOfBenchmark, newId, openDatabase, planRuns, recordRunArtifact, saveDataset,
  type Database, type DatabaseHandle,
} from '@bankbench/core'
import { bertTokenizerJson, type Checkpoint } from '@bankbench/engine'
import { ArtifactIntegrityError, sha256Hex } from './artifact-integrity'
import { checkpointFiles } from './checkpoint-files'
import { LOCAL_BACKBONE_PREFIX, LOCAL_BACKBONE_PROVENANCE, resolveBaseModel } from './base-model'

const checkpoint: Checkpoint = {
  config: { model_type: 'bert', vocab_size: 6, hidden_size: 4 },
  weights: new Map([['bert.embeddings.word_embeddings.weight', { dtype: 'F32', shape: [6, 4], bytes: new Uint8Array(96) }]]),
  tokenizer: bertTokenizerJson(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'card'], { lowercase: true, stripAccents: null }),
}

/** An mlm-pretrain run that records the checkpoint's files as `model/<name>` and publishes them as the local backbone, as the trainer does. */
async function publishBackbone(db: Database, store: FsArtifactStore): Promise<string> {
  const { dataset } = await saveDataset(db, {
    id: newId('ds'), name: 'tiny', source: 'upload', contentHash: randomUUID(), labels: ['a', 'b'],
    splits: { train: 8, validation: 2, test: 2 }, artifactKey: `datasets/${randomUUID()}`,
  })
  const spec = benchmarkSpecSchema.parse({ dataset: dataset.id, arms: [{ method: 'mlm-pretrain' }] })
  const { benchmark } = await createBenchmark(db, { name: 'pretrain', datasetId: dataset.id, spec, plannedRuns: planRuns(spec), queue: 'local', timeoutSeconds: 60, attempts: 1 })
  const [run] = await listRunsOfBenchmark(db, benchmark.id)
  await store.put(`${LOCAL_BACKBONE_PREFIX}${LOCAL_BACKBONE_PROVENANCE}`, JSON.stringify({ runId: run!.id }))
  for (const [name, body] of await checkpointFiles(checkpoint)) {
    const info = await store.put(`runs/${run!.id}/attempt-1/model/${name}`, body)
    await recordRunArtifact(db, run!.id, { name: `model/${name}`, key: info.key, bytes: info.bytes, sha256: info.sha256 })
    await store.put(`${LOCAL_BACKBONE_PREFIX}${name}`, body)
  }
  return run!.id
}

describe('resolveBaseModel', () => {
  let directory: string
  let store: FsArtifactStore
  let database: DatabaseHandle
  let db: Database
  let publisher: string
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'bankbench-base-model-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
    database = await openDatabase()
    db = database.db
  })
  afterAll(async () => {
    await database.close()
    rmSync(directory, { recursive: true, force: true })
  })

  it('asks for an mlm-pretrain run when the local backbone is missing', async () => {
    await expect(resolveBaseModel(store, 'local-backbone', db)).rejects.toThrow(/Run a benchmark with an mlm-pretrain arm first/)
  })

  it('reads the local backbone from the artifact store, pinned to the run that published it, and that run\'s model by its id', async () => {
    publisher = await publishBackbone(db, store)
    for (const baseModel of ['local-backbone', `run:${publisher}`]) {
      const base = await resolveBaseModel(store, baseModel, db)
      expect(base.nameOrPath).toBe(`run:${publisher}`)
      expect(base.checkpoint.config).toEqual(checkpoint.config)
      expect([...base.checkpoint.weights.keys()]).toEqual(['bert.embeddings.word_embeddings.weight'])
      expect(base.checkpoint.tokenizer).toEqual(checkpoint.tokenizer)
    }
    await expect(resolveBaseModel(store, 'run:run_00000000000000000000', db)).rejects.toThrow(/recorded no model/)
  })

  it('refuses a local backbone file that is not what its pretrain run recorded, naming the key and both hashes', async () => {
    const key = `${LOCAL_BACKBONE_PREFIX}model.safetensors`
    const original = await store.get(key)
    const changed = Uint8Array.from(original)
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 0x01
    await store.put(key, changed)
    try {
      const refusal = await resolveBaseModel(store, 'local-backbone', db).catch((error: unknown) => error)
      expect(refusal).toBeInstanceOf(ArtifactIntegrityError)
      expect(refusal).toMatchObject({ key, expectedSha256: sha256Hex(original), actualSha256: sha256Hex(changed) })
      expect((refusal as Error).message).toBe(`artifact ${key} (the local backbone's model.safetensors, recorded as 'model/model.safetensors' of run ${publisher}) ` +
        `does not match its recorded sha256: expected ${sha256Hex(original)}, actual ${sha256Hex(changed)}; it was changed or corrupted after it was recorded, and is not loaded`)
    } finally {
      await store.put(key, original)
    }
    expect((await resolveBaseModel(store, 'local-backbone', db)).checkpoint.config).toEqual(checkpoint.config)
  })

  it('refuses a local backbone that names no publishing run, or one that recorded none of its files', async () => {
    const provenance = `${LOCAL_BACKBONE_PREFIX}${LOCAL_BACKBONE_PROVENANCE}`
    const original = await store.get(provenance)
    try {
      await store.put(provenance, JSON.stringify({ runId: 'run_00000000000000000000' }))
      await expect(resolveBaseModel(store, 'local-backbone', db)).rejects.toThrow('The local backbone names run run_00000000000000000000 as its publisher, but that run recorded no model files')
      await store.delete(provenance)
      await expect(resolveBaseModel(store, 'local-backbone', db)).rejects.toThrow(/names no run that published it \(no provenance\.json\).*mlm-pretrain arm again/)
    } finally {
      await store.put(provenance, original)
    }
  })

  it('reads folders and file:// URIs', async () => {
    const folder = join(store.rootDir, 'models/local-backbone')
    expect((await resolveBaseModel(store, folder, db)).checkpoint.config).toEqual(checkpoint.config)
    expect((await resolveBaseModel(store, `file://${folder}`, db)).nameOrPath).toBe(`file://${folder}`)
  })

  it('refuses s3:// outside the run\'s store, and says hf:// needs the hub', async () => {
    await expect(resolveBaseModel(store, 's3://elsewhere/models/bert', db)).rejects.toThrow(/outside this deployment's artifact store/)
    await expect(resolveBaseModel(store, 'hf://bankbench/missing', db)).rejects.toThrow(/hub/)
  }, 60_000)
})
