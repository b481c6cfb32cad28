import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FsArtifactStore } from '@bankbench/core'
import { bertTokenizerJson, type Checkpoint } from '@bankbench/engine'
import { checkpointFiles } from './checkpoint-files'
import { LOCAL_BACKBONE_PREFIX, resolveBaseModel } from './base-model'

const checkpoint: Checkpoint = {
  config: { model_type: 'bert', vocab_size: 6, hidden_size: 4 },
  weights: new Map([['bert.embeddings.word_embeddings.weight', { dtype: 'F32', shape: [6, 4], bytes: new Uint8Array(96) }]]),
  tokenizer: bertTokenizerJson(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'card'], { lowercase: true, stripAccents: null }),
}

describe('resolveBaseModel', () => {
  let directory: string
  let store: FsArtifactStore
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'bankbench-base-model-'))
    store = new FsArtifactStore(join(directory, 'artifacts'))
  })
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  it('asks for an mlm-pretrain run when the local backbone is missing', async () => {
    await expect(resolveBaseModel(store, undefined)).rejects.toThrow(/Run a benchmark with an mlm-pretrain arm first/)
  })

  it('reads the local backbone from the artifact store, by default and by name', async () => {
    for (const [name, body] of await checkpointFiles(checkpoint)) await store.put(`${LOCAL_BACKBONE_PREFIX}${name}`, body)
    for (const baseModel of [undefined, 'local-backbone']) {
      const base = await resolveBaseModel(store, baseModel)
      expect(base.nameOrPath).toBe('local-backbone')
      expect(base.checkpoint.config).toEqual(checkpoint.config)
      expect([...base.checkpoint.weights.keys()]).toEqual(['bert.embeddings.word_embeddings.weight'])
      expect(base.checkpoint.tokenizer).toEqual(checkpoint.tokenizer)
    }
  })

  it('reads folders and file:// URIs', async () => {
    const folder = join(store.rootDir, 'models/local-backbone')
    expect((await resolveBaseModel(store, folder)).checkpoint.config).toEqual(checkpoint.config)
    expect((await resolveBaseModel(store, `file://${folder}`)).nameOrPath).toBe(`file://${folder}`)
  })

  it('refuses s3:// outside the run\'s store, and says hf:// needs the hub', async () => {
    await expect(resolveBaseModel(store, 's3://elsewhere/models/bert')).rejects.toThrow(/outside this deployment's artifact store/)
    await expect(resolveBaseModel(store, 'hf://bankbench/missing')).rejects.toThrow(/hub/)
  }, 60_000)
})
