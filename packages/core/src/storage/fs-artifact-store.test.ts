import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeArtifactStoreContract } from './artifact-store-contract'
import { FsArtifactStore } from './fs-artifact-store'

let root: string
let storeCount = 0
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'bankbench-fs-store-')) })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

describeArtifactStoreContract('filesystem', () => new FsArtifactStore(join(root, `store-${storeCount++}`)))

describe('FsArtifactStore', () => {
  it('names its root with an absolute file URI', () => {
    const store = new FsArtifactStore(join(root, 'with space'))
    expect(store.uri).toBe(`file://${root}/with%20space`)
    expect(store.rootDir).toBe(join(root, 'with space'))
  })

  it('keeps a key as the file of the same relative path and leaves no temporary files', async () => {
    const store = new FsArtifactStore(join(root, 'layout'))
    await store.put('runs/7/adapter_config.json', '{}')
    await store.put('runs/7/adapter_config.json', '{"r":8}')
    expect(await readdir(join(root, 'layout', 'runs', '7'))).toEqual(['adapter_config.json'])
  })
})
