import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { initBackend } from '../backend'
import { loadCheckpoint, saveCheckpoint } from './checkpoint'
import type { Checkpoint } from './checkpoint'
import type { FetchFile } from './checkpoint-source'
import { fromFloat32, toFloat32 } from './safetensors'
import { fromTensor, toTensor } from './tensors'

const checkpoint: Checkpoint = {
  config: { model_type: 'bert', hidden_size: 4, num_hidden_layers: 1 },
  weights: new Map([
    ['bert.embeddings.word_embeddings.weight', fromFloat32(Float32Array.from({ length: 12 }, (_, i) => i / 4), [3, 4])],
    ['bert.encoder.layer.0.attention.self.query.weight', fromFloat32(Float32Array.from({ length: 16 }, (_, i) => -i), [4, 4])],
    ['bert.encoder.layer.0.attention.self.query.bias', fromFloat32(new Float32Array([0.5, 0, 0, -0.5]), [4])],
    ['classifier.weight', fromFloat32(new Float32Array(8).fill(1), [2, 4])],
  ]),
  tokenizer: { model: { type: 'WordPiece', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } },
  tokenizerConfig: { do_lower_case: true },
}

function expectSameWeights(actual: Checkpoint['weights']) {
  expect([...actual.keys()].sort()).toEqual([...checkpoint.weights.keys()].sort())
  for (const [name, tensor] of checkpoint.weights) {
    expect(actual.get(name)?.shape).toEqual(tensor.shape)
    expect([...toFloat32(actual.get(name)!)]).toEqual([...toFloat32(tensor)])
  }
}

/** An object store keyed by URI, standing in for S3 behind the injected reader. */
async function objectStoreOf(folder: string, bucketPrefix: string): Promise<Map<string, Uint8Array>> {
  const objects = new Map<string, Uint8Array>()
  for (const fileName of await readdir(folder)) objects.set(`${bucketPrefix}/${fileName}`, new Uint8Array(await readFile(join(folder, fileName))))
  return objects
}

describe('checkpoints in the Hugging Face layout', () => {
  let workspace: string
  beforeAll(async () => { workspace = await mkdtemp(join(tmpdir(), 'bankbench-checkpoint-')) })
  afterAll(async () => { await rm(workspace, { recursive: true, force: true }) })

  it('saves config.json, model.safetensors and the tokenizer files, and loads them back from a path or file://', async () => {
    const folder = join(workspace, 'single')
    const written = await saveCheckpoint(folder, checkpoint)
    expect(written.sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'])
    for (const source of [folder, pathToFileURL(folder).href]) {
      const loaded = await loadCheckpoint(source)
      expect(loaded.config).toEqual(checkpoint.config)
      expect(loaded.tokenizer).toEqual(checkpoint.tokenizer)
      expect(loaded.tokenizerConfig).toEqual(checkpoint.tokenizerConfig)
      expectSameWeights(loaded.weights)
    }
  })

  it('shards large weights with an index, as save_pretrained does, and reads them back', async () => {
    const folder = join(workspace, 'sharded')
    const written = await saveCheckpoint(folder, { ...checkpoint, tokenizer: null, tokenizerConfig: null }, { maxShardBytes: 64 })
    expect(written.sort()).toEqual([
      'config.json', 'model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors', 'model.safetensors.index.json',
    ])
    const index = JSON.parse(await readFile(join(folder, 'model.safetensors.index.json'), 'utf8'))
    expect(index.metadata.total_size).toBe((12 + 16 + 4 + 8) * 4)
    expect(index.weight_map['classifier.weight']).toBe('model-00003-of-00003.safetensors')
    const loaded = await loadCheckpoint(folder)
    expect(loaded.tokenizer).toBeNull()
    expectSameWeights(loaded.weights)
  })

  it('reads s3:// through the injected fetchFile, whether missing objects resolve null or reject with NoSuchKey', async () => {
    const folder = join(workspace, 's3-sharded')
    await saveCheckpoint(folder, checkpoint, { maxShardBytes: 64 })
    const objects = await objectStoreOf(folder, 's3://models/bert-tiny')
    const requested: string[] = []
    const returnsNull: FetchFile = async (uri) => { requested.push(uri); return objects.get(uri) ?? null }
    const rejects: FetchFile = async (uri) => {
      const object = objects.get(uri)
      if (!object) throw Object.assign(new Error(`The specified key does not exist: ${uri}`), { name: 'NoSuchKey' })
      return object
    }
    expectSameWeights((await loadCheckpoint('s3://models/bert-tiny/', { fetchFile: returnsNull })).weights)
    expect(requested).toContain('s3://models/bert-tiny/model-00002-of-00003.safetensors')
    expectSameWeights((await loadCheckpoint('s3://models/bert-tiny', { fetchFile: rejects })).weights)
    const failing: FetchFile = async () => { throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }) }
    await expect(loadCheckpoint('s3://models/bert-tiny', { fetchFile: failing })).rejects.toThrow('Access Denied')
  })

  it('asks for fetchFile when given s3:// without one', async () => {
    await expect(loadCheckpoint('s3://models/bert-tiny')).rejects.toThrow(/reads s3:\/\/ through an injected fetchFile option, and none was given/)
  })

  it('explains that the hub is unreachable and points at file:// and s3://', async () => {
    // A name under .invalid never resolves (RFC 2606): the same failure as huggingface.co from a machine without internet.
    await expect(loadCheckpoint('hf://google-bert/bert-base-uncased@main', { hubEndpoint: 'https://huggingface.invalid', hubTimeoutMs: 5000 }))
      .rejects.toThrow(/Cannot reach the Hugging Face hub .*huggingface\.invalid\/google-bert\/bert-base-uncased\/resolve\/main\/config\.json.*network or the hub is unreachable.*use a file:\/\/ or s3:\/\/ source/s)
    await expect(loadCheckpoint('hf://bert-base-uncased')).rejects.toThrow(/expected hf:\/\/org\/name/)
  })

  it('downloads hf://org/name@revision from <endpoint>/org/name/resolve/revision/file', async () => {
    const folder = join(workspace, 'hub')
    await saveCheckpoint(folder, checkpoint)
    const requests: { url?: string; authorization?: string }[] = []
    const hub = createServer((request, response) => {
      requests.push({ url: request.url, authorization: request.headers.authorization })
      const match = /^\/acme\/bert-tiny\/resolve\/v1\/([\w.-]+)$/.exec(request.url ?? '')
      readFile(join(folder, match?.[1] ?? 'missing'))
        .then((body) => response.end(body))
        .catch(() => { response.statusCode = 404; response.end('Entry not found') })
    })
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve))
    try {
      const endpoint = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`
      const loaded = await loadCheckpoint('hf://acme/bert-tiny@v1', { hubEndpoint: endpoint, hubToken: 'hf_secret' })
      expectSameWeights(loaded.weights)
      expect(loaded.tokenizer).toEqual(checkpoint.tokenizer)
      expect(requests[0]).toEqual({ url: '/acme/bert-tiny/resolve/v1/config.json', authorization: 'Bearer hf_secret' })
      await expect(loadCheckpoint('hf://acme/other-model', { hubEndpoint: endpoint })).rejects.toThrow(/hf:\/\/acme\/other-model: no config\.json/)
    } finally {
      hub.close()
    }
  })

  describe('a gated repository (a local server standing in for the hub)', () => {
    const GRANTED = 'hf_granted_0123456789'
    let endpoint: string
    let hub: ReturnType<typeof createServer>
    const authorizations: (string | undefined)[] = []
    beforeAll(async () => {
      const folder = join(workspace, 'gated')
      await saveCheckpoint(folder, checkpoint)
      // As huggingface.co answers for meta-llama/Llama-2-7b-hf: 401 without a token, 403 to an account without access.
      hub = createServer((request, response) => {
        authorizations.push(request.headers.authorization)
        if (request.headers.authorization === undefined) {
          response.writeHead(401, { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to model acme/llama-gated is restricted. You must have access to it and be authenticated to access it. Please log in.' })
          return response.end()
        }
        if (request.headers.authorization !== `Bearer ${GRANTED}`) {
          response.writeHead(403, { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to model acme/llama-gated is restricted and you are not in the authorized list.' })
          return response.end()
        }
        const match = /^\/acme\/llama-gated\/resolve\/main\/([\w.-]+)$/.exec(request.url ?? '')
        readFile(join(folder, match?.[1] ?? 'missing'))
          .then((body) => response.end(body))
          .catch(() => { response.statusCode = 404; response.end('Entry not found') })
      })
      await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve))
      endpoint = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`
    })
    afterEach(() => { vi.unstubAllEnvs(); authorizations.length = 0 })
    const refusal = async (source: string): Promise<Error> => {
      try {
        await loadCheckpoint(source, { hubEndpoint: endpoint })
      } catch (error) {
        return error as Error
      }
      throw new Error(`${source} loaded`)
    }
    afterAll(() => { hub.close() })

    it('sends HF_TOKEN from the environment as Authorization: Bearer on every request', async () => {
      vi.stubEnv('HF_TOKEN', GRANTED)
      const loaded = await loadCheckpoint('hf://acme/llama-gated', { hubEndpoint: endpoint })
      expectSameWeights(loaded.weights)
      expect(authorizations.length).toBeGreaterThanOrEqual(3)
      expect(new Set(authorizations)).toEqual(new Set([`Bearer ${GRANTED}`]))
    })

    it('without a token, a 401 says the model is gated and HF_TOKEN is needed', async () => {
      vi.stubEnv('HF_TOKEN', '')
      const error = await refusal('hf://acme/llama-gated')
      expect(authorizations).toEqual([undefined])
      expect(error.message).toMatch(/^hf:\/\/acme\/llama-gated is gated or private: the Hugging Face hub answered 401 Unauthorized for http:\/\/127\.0\.0\.1:\d+\/acme\/llama-gated\/resolve\/main\/config\.json \("Access to model acme\/llama-gated is restricted\./)
      expect(error.message).toMatch(/no HF_TOKEN is set\. Accept the model's licence on huggingface\.co .*set HF_TOKEN to a read token .*sst secret set HfToken/)
    })

    it('treats the stage secret\'s placeholder `unset` as no token, and never sends it', async () => {
      vi.stubEnv('HF_TOKEN', 'unset')
      await expect(loadCheckpoint('hf://acme/llama-gated', { hubEndpoint: endpoint })).rejects.toThrow(/is gated or private: .*no HF_TOKEN is set/s)
      expect(authorizations).toEqual([undefined])
    })

    it('with a token the hub refuses, says the account lacks access, and never repeats the token', async () => {
      const wrong = 'hf_other_account_secret_value'
      vi.stubEnv('HF_TOKEN', wrong)
      const error = await refusal('hf://acme/llama-gated')
      expect(error.message).toMatch(/^hf:\/\/acme\/llama-gated is gated: the Hugging Face hub answered 403 Forbidden .*the account of HF_TOKEN has not been granted access/s)
      expect(error.message).not.toContain(wrong)
      expect(String(error.stack)).not.toContain(wrong)
    })
  })

  it('says what is missing from an incomplete folder', async () => {
    await expect(loadCheckpoint(join(workspace, 'nothing-here'))).rejects.toThrow(/no config\.json/)
    const folder = join(workspace, 'sharded')
    await rm(join(folder, 'model-00002-of-00003.safetensors'))
    await expect(loadCheckpoint(folder)).rejects.toThrow(/shard model-00002-of-00003\.safetensors, listed in model\.safetensors\.index\.json, is missing/)
    await rm(join(folder, 'model.safetensors.index.json'))
    await expect(loadCheckpoint(folder)).rejects.toThrow(/neither model\.safetensors nor model\.safetensors\.index\.json/)
  })
})

describe('toTensor / fromTensor', () => {
  beforeAll(async () => { await initBackend('cpu') })

  it('turns checkpoint tensors into float32 tfjs tensors and back', () => {
    const half = { dtype: 'F16' as const, shape: [2, 1], bytes: new Uint8Array([0x00, 0x3c, 0x00, 0xc0]) }
    const tensor = toTensor(half)
    expect(tensor.dtype).toBe('float32')
    expect(tensor.arraySync()).toEqual([[1], [-2]])
    const [name, named] = fromTensor('w', tensor)
    expect(name).toBe('w')
    expect(named).toMatchObject({ dtype: 'F32', shape: [2, 1] })
    expect([...toFloat32(named)]).toEqual([1, -2])
    expect(fromTensor('ids', tf.tensor1d([7, -3], 'int32'))[1]).toMatchObject({ dtype: 'I32', shape: [2] })
    expect(() => fromTensor('flags', tf.tensor1d([true], 'bool'))).toThrow(/flags has dtype bool/)
  })
})
