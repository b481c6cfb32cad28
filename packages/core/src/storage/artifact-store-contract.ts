import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ArtifactNotFoundError } from './artifact-store'
import type { ArtifactStore } from './artifact-store'
import { InvalidArtifactKeyError } from './artifact-key'

/** Deterministic bytes covering every byte value, without a period that lines up with part sizes. */
export function patternBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >>> 11)) & 0xff
  return bytes
}

/** Byte-for-byte equality; vitest's toEqual walks large arrays element by element (seconds per MB). */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.byteLength).toBe(expected.byteLength)
  expect(Buffer.compare(actual, expected)).toBe(0)
}

function referenceSha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

const INVALID_KEYS = [
  '', '/abs/key', 'a/../b', '..', './a', 'a\\b', 'a//b', 'trailing/', 'nul\0byte', `long/${'x'.repeat(1100)}`,
  `${'s'.repeat(256)}/segment-too-long`,
]

/**
 * The behaviour every ArtifactStore must have, run against each implementation.
 * `makeStore` is called before each test and must return an empty store.
 */
export function describeArtifactStoreContract(name: string, makeStore: () => Promise<ArtifactStore> | ArtifactStore): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let store: ArtifactStore
    let scratch: string

    beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'bankbench-contract-')) })
    afterAll(async () => { await rm(scratch, { recursive: true, force: true }) })
    beforeEach(async () => { store = await makeStore() })

    it('round-trips binary bytes and reports their sha256 and size', async () => {
      const body = patternBytes(70_000)
      const info = await store.put('runs/1/adapter/adapter_model.safetensors', body, { contentType: 'application/octet-stream' })
      expect(info).toEqual({ key: 'runs/1/adapter/adapter_model.safetensors', bytes: 70_000, sha256: referenceSha256(body) })
      expectSameBytes(await store.get('runs/1/adapter/adapter_model.safetensors'), body)
    })

    it('stores strings as UTF-8', async () => {
      const text = 'naïve café costs 5 €\n'
      const info = await store.put('notes/utf8.txt', text)
      expect(info.bytes).toBe(Buffer.byteLength(text, 'utf8'))
      expect(info.sha256).toBe(referenceSha256(text))
      expect(Buffer.from(await store.get('notes/utf8.txt')).toString('utf8')).toBe(text)
    })

    it('round-trips an empty body', async () => {
      const info = await store.put('empty', new Uint8Array())
      expect(info).toEqual({ key: 'empty', bytes: 0, sha256: referenceSha256('') })
      expect(await store.get('empty')).toEqual(new Uint8Array())
    })

    it('accepts keys with spaces and non-ASCII characters', async () => {
      await store.put('reports/résumé final (v2).html', '<p>ok</p>')
      expect(Buffer.from(await store.get('reports/résumé final (v2).html')).toString()).toBe('<p>ok</p>')
      expect(await store.list('reports/')).toEqual(['reports/résumé final (v2).html'])
    })

    it('overwrites an existing key', async () => {
      await store.put('config.json', '{"version":1,"padding":"longer first body"}')
      const info = await store.put('config.json', '{"version":2}')
      expect(info.bytes).toBe(13)
      expect(Buffer.from(await store.get('config.json')).toString()).toBe('{"version":2}')
      expect(await store.list('')).toEqual(['config.json'])
    })

    it('tells whether a key exists (a folder-like prefix is not a key)', async () => {
      await store.put('datasets/abc/train.jsonl', '{}\n')
      expect(await store.exists('datasets/abc/train.jsonl')).toBe(true)
      expect(await store.exists('datasets/abc')).toBe(false)
      expect(await store.exists('datasets/abc/test.jsonl')).toBe(false)
      expect(await store.exists('datasets/abc/train.jsonl/deeper')).toBe(false)
    })

    it('lists keys under a prefix, sorted and recursive', async () => {
      for (const key of ['runs/2/summary.json', 'runs/10/summary.json', 'runs/1/adapter/b.bin', 'runs/1/adapter/a.bin', 'runs/1/log.txt', 'runsheet.csv', 'datasets/x/train.jsonl']) {
        await store.put(key, key)
      }
      expect(await store.list('runs/')).toEqual([
        'runs/1/adapter/a.bin', 'runs/1/adapter/b.bin', 'runs/1/log.txt', 'runs/10/summary.json', 'runs/2/summary.json',
      ])
      // A prefix is a string prefix of keys, as on S3, not only a folder.
      expect(await store.list('runs/1')).toEqual(['runs/1/adapter/a.bin', 'runs/1/adapter/b.bin', 'runs/1/log.txt', 'runs/10/summary.json'])
      expect(await store.list('runs')).toContain('runsheet.csv')
      expect(await store.list('runs/1/adapter/a')).toEqual(['runs/1/adapter/a.bin'])
      expect(await store.list('')).toHaveLength(7)
      expect(await store.list('models/')).toEqual([])
    })

    it('deletes a key, and deleting a missing key succeeds', async () => {
      await store.put('tmp/a.txt', 'a')
      await store.put('tmp/b.txt', 'b')
      await store.delete('tmp/a.txt')
      expect(await store.exists('tmp/a.txt')).toBe(false)
      expect(await store.list('tmp/')).toEqual(['tmp/b.txt'])
      await expect(store.delete('tmp/a.txt')).resolves.toBeUndefined()
      await expect(store.get('tmp/a.txt')).rejects.toBeInstanceOf(ArtifactNotFoundError)
    })

    it('throws ArtifactNotFoundError for a missing key, and creates no local file', async () => {
      await store.put('present/file.txt', 'x')
      await expect(store.get('absent.txt')).rejects.toMatchObject({ name: 'ArtifactNotFoundError', key: 'absent.txt' })
      await expect(store.get('present')).rejects.toBeInstanceOf(ArtifactNotFoundError)
      const target = join(scratch, 'never-created', 'file.txt')
      await expect(store.getFile('absent.txt', target)).rejects.toBeInstanceOf(ArtifactNotFoundError)
      expect(existsSync(target)).toBe(false)
    })

    it.each(INVALID_KEYS.map((key) => [JSON.stringify(key).slice(0, 40), key]))('rejects the invalid key %s', async (_label, key) => {
      await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidArtifactKeyError)
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError)
      await expect(store.exists(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError)
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError)
    })

    it('rejects list prefixes that escape the store', async () => {
      for (const prefix of ['../', '/runs', 'a/../b', 'a\\b']) {
        await expect(store.list(prefix)).rejects.toBeInstanceOf(InvalidArtifactKeyError)
      }
    })

    it('round-trips a file with putFile and getFile, creating parent folders', async () => {
      const body = patternBytes(1_500_000)
      const source = join(scratch, `${name}-source.bin`)
      await writeFile(source, body)
      const info = await store.putFile('models/base/model.safetensors', source)
      expect(info).toEqual({ key: 'models/base/model.safetensors', bytes: body.length, sha256: referenceSha256(body) })
      const target = join(scratch, name, 'nested', 'copy.bin')
      await store.getFile('models/base/model.safetensors', target)
      expectSameBytes(await readFile(target), body)
      await expect(store.putFile('models/missing', join(scratch, 'no-such-file'))).rejects.toMatchObject({ code: 'ENOENT' })
    })
  })
}
