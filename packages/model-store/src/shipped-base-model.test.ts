import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FsArtifactStore } from '@bankbench/core'
import { bertTokenizerJson, saveCheckpoint, type Checkpoint } from '@bankbench/engine'
import { ArtifactIntegrityError } from './artifact-integrity'
import { loadPinnedBaseModel, parsePinnedBaseModel, publishedBaseModelPrefix, publishShippedBaseModel, shippedModelsDirectory, SHIPPED_BASE_MODEL } from './shipped-base-model'

function tinyCheckpoint(fill: number): Checkpoint {
  return {
    config: { model_type: 'bert', vocab_size: 6, hidden_size: 4 },
    weights: new Map([['bert.embeddings.word_embeddings.weight', { dtype: 'F32', shape: [6, 4], bytes: new Uint8Array(96).fill(fill) }]]),
    tokenizer: bertTokenizerJson(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'card'], { lowercase: true, stripAccents: null }),
  }
}

describe('the shipped base model, content-addressed in the artifact store', () => {
  let directory: string
  let models: string
  let store: FsArtifactStore
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'bankbench-shipped-'))
    models = join(directory, 'models')
    store = new FsArtifactStore(join(directory, 'artifacts'))
    await saveCheckpoint(join(models, 'tiny-bert'), tinyCheckpoint(1))
  })
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  it('publishes it under the digest of its manifest, once, and loads it back by that pinned name', async () => {
    const first = await publishShippedBaseModel(store, 'tiny-bert', models)
    const pinned = parsePinnedBaseModel(first.pinned)!
    expect(pinned).toMatchObject({ name: 'tiny-bert', digest: expect.stringMatching(/^[0-9a-f]{64}$/) })
    const prefix = publishedBaseModelPrefix('tiny-bert', pinned.digest)
    expect(await store.exists(`${prefix}manifest.json`)).toBe(true)
    expect((await publishShippedBaseModel(store, 'tiny-bert', models)).pinned).toBe(first.pinned)
    const loaded = await loadPinnedBaseModel(store, 'tiny-bert', pinned.digest, models)
    expect(loaded.config).toEqual(first.checkpoint.config)
    expect(loaded.weights.get('bert.embeddings.word_embeddings.weight')!.bytes).toEqual(new Uint8Array(96).fill(1))
  })

  it('keeps serving the version a run recorded after the shipped model is rebuilt', async () => {
    const before = await publishShippedBaseModel(store, 'tiny-bert', models)
    await saveCheckpoint(join(models, 'tiny-bert'), tinyCheckpoint(2))
    const after = await publishShippedBaseModel(store, 'tiny-bert', models)
    expect(after.pinned).not.toBe(before.pinned)
    const old = parsePinnedBaseModel(before.pinned)!
    expect((await loadPinnedBaseModel(store, 'tiny-bert', old.digest, models)).weights.get('bert.embeddings.word_embeddings.weight')!.bytes).toEqual(new Uint8Array(96).fill(1))
  })

  it('refuses a published file whose bytes changed, and a version neither the store nor the shipped copy has', async () => {
    const { pinned } = await publishShippedBaseModel(store, 'tiny-bert', models)
    const { digest } = parsePinnedBaseModel(pinned)!
    const key = `${publishedBaseModelPrefix('tiny-bert', digest)}model.safetensors`
    const original = await store.get(key)
    const changed = Uint8Array.from(original)
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 0x01
    await store.put(key, changed)
    await expect(loadPinnedBaseModel(store, 'tiny-bert', digest, models)).rejects.toBeInstanceOf(ArtifactIntegrityError)
    await store.put(key, original)
    await expect(loadPinnedBaseModel(store, 'tiny-bert', '0'.repeat(64), models)).rejects.toThrow(/is not in the artifact store .* is another version/)
  })

  it('publishes on demand into a fresh store when the shipped copy has the recorded digest', async () => {
    const { pinned } = await publishShippedBaseModel(store, 'tiny-bert', models)
    const fresh = new FsArtifactStore(join(directory, 'fresh-artifacts'))
    const { digest } = parsePinnedBaseModel(pinned)!
    expect((await loadPinnedBaseModel(fresh, 'tiny-bert', digest, models)).config).toMatchObject({ model_type: 'bert' })
  })

  it('ships bankbench-mini with the project', () => {
    expect(existsSync(join(shippedModelsDirectory(), SHIPPED_BASE_MODEL, 'model.safetensors'))).toBe(true)
    expect(existsSync(join(shippedModelsDirectory(), SHIPPED_BASE_MODEL, 'README.md'))).toBe(true)
  })
})
