import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FsArtifactStore, type Database } from '@bankbench/core'
import type { DatasetSplits } from '@bankbench/data'
import { initBackend, parseEncoderConfig, pretrain, saveCheckpoint, Tokenizer, trainWordPiece } from '@bankbench/engine'
import { parseEmbeddings, serializeEmbeddings, splitOf } from './artifact'
import { ensureEmbeddings } from './embed'

const TEXTS: [string, string][] = [
  ['my card was declined', 'declined'], ['card declined in the shop', 'declined'], ['why was my card refused', 'declined'],
  ['top up my account', 'top_up'], ['how do i top up', 'top_up'], ['top up failed', 'top_up'],
  ['euro exchange rate', 'exchange'], ['what rate do you use to exchange', 'exchange'], ['exchange rate fee', 'exchange'],
]
const DATASET: DatasetSplits = {
  labels: ['declined', 'exchange', 'top_up'],
  train: TEXTS.map(([text, label]) => ({ text, label })),
  validation: [{ text: 'card declined again', label: 'declined' }],
  test: [{ text: 'top up please', label: 'top_up' }, { text: 'the exchange rate', label: 'exchange' }],
}
// The base-model path never touches the database for a folder source.
const NO_DATABASE = undefined as unknown as Database

let folder: string
let store: FsArtifactStore
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'embed-test-'))
  store = new FsArtifactStore(join(folder, 'artifacts'))
})
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('ensureEmbeddings', () => {
  it('encodes every split with TF-IDF + SVD, stores the set once, and reads it back the second time', async () => {
    const first = await ensureEmbeddings({ store, db: NO_DATABASE, dataset: DATASET, datasetHash: 'd1', encoder: { kind: 'tfidf-svd', dimension: 4 } })
    expect(first.reused).toBe(false)
    expect(first.key).toBe('embeddings/d1/tfidf-svd_4_seed0.emb')
    expect(first.set).toMatchObject({ dimension: 4, counts: { train: 9, validation: 1, test: 2 } })
    expect(first.set.vectors).toHaveLength(12 * 4)
    const test = splitOf(first.set, 'test')
    expect(test.ids).toEqual(['test/0', 'test/1'])
    expect(test.labels).toEqual(['top_up', 'exchange'])

    const second = await ensureEmbeddings({ store, db: NO_DATABASE, dataset: DATASET, datasetHash: 'd1', encoder: { kind: 'tfidf-svd', dimension: 4 } })
    expect(second.reused).toBe(true)
    expect(second.sha256).toBe(first.sha256)
    expect(Array.from(second.set.vectors)).toEqual(Array.from(first.set.vectors))
  })

  it('encodes with a base model mean-pooled, under an id that names the model', async () => {
    await initBackend()
    const tokenizer = Tokenizer.fromJSON(trainWordPiece(TEXTS.map(([text]) => text), { vocabSize: 80, minFrequency: 1 }))
    const modelConfig = parseEncoderConfig({
      model_type: 'bert', vocab_size: tokenizer.vocabSize, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2,
      intermediate_size: 32, max_position_embeddings: 32, initializer_range: 0.2,
    })
    const { checkpoint } = await pretrain(TEXTS.map(([text]) => text), { tokenizer, modelConfig, epochs: 0, batchSize: 8, learningRate: 1e-3, seed: 3, maxLength: 16 })
    const modelFolder = join(folder, 'tiny-bert')
    await saveCheckpoint(modelFolder, checkpoint)
    const result = await ensureEmbeddings({ store, db: NO_DATABASE, dataset: DATASET, datasetHash: 'd1', encoder: { kind: 'base', baseModel: modelFolder } })
    expect(result.set.encoder).toBe(`base:${modelFolder}`)
    expect(result.set.dimension).toBe(16)
    expect(result.set.vectors.every(Number.isFinite)).toBe(true)
    expect((await ensureEmbeddings({ store, db: NO_DATABASE, dataset: DATASET, datasetHash: 'd1', encoder: { kind: 'base', baseModel: modelFolder } })).reused).toBe(true)
  })
})

describe('the embedding file', () => {
  it('round-trips, and is refused when a vector byte changed', () => {
    const set = { encoder: 'x', model: 'x', dimension: 2, datasetHash: 'h', counts: { train: 1, validation: 0, test: 1 }, labels: ['a', 'b'], vectors: Float32Array.from([1, 2, 3, 4]), encodeSeconds: 0 }
    const bytes = serializeEmbeddings(set)
    expect(Array.from(parseEmbeddings(bytes).vectors)).toEqual([1, 2, 3, 4])
    bytes[bytes.length - 1]! ^= 1
    expect(() => parseEmbeddings(bytes)).toThrow(/hash/)
  })
})
