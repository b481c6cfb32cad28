import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { contentKey, sha256Hex, sha256OfFile } from './content-address'

// sha256("abc"), FIPS 180-2 appendix B.1.
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'

describe('content addressing', () => {
  it('hashes strings as UTF-8 and bytes as given', () => {
    expect(sha256Hex('abc')).toBe(ABC_SHA256)
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(ABC_SHA256)
  })

  it('hashes a file by streaming it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'bankbench-hash-'))
    try {
      await writeFile(join(folder, 'abc.txt'), 'abc')
      expect(await sha256OfFile(join(folder, 'abc.txt'))).toEqual({ sha256: ABC_SHA256, bytes: 3 })
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('derives namespaced keys from a hash and refuses anything else', () => {
    expect(contentKey('datasets', ABC_SHA256)).toBe(`datasets/sha256-${ABC_SHA256}`)
    expect(contentKey('models', ABC_SHA256)).toBe(`models/sha256-${ABC_SHA256}`)
    expect(() => contentKey('datasets', ABC_SHA256.toUpperCase())).toThrow('lower-case hex sha256')
    expect(() => contentKey('models', '../etc')).toThrow('lower-case hex sha256')
  })
})
