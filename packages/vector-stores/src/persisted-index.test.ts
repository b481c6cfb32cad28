/**
 * The persisted index (the `index` job's, loaded by a hybrid and its deployment): FAISS
 * and usearch write their index to the artifact store and read it back answering the same
 * neighbours with the same scores; a changed file, or an index of another embedding set or
 * other settings, is never loaded as this one; the other stores say why they are rebuilt.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FsArtifactStore } from '@bankbench/core'
import { loadFaiss } from './faiss'
import { buildIndex, loadPersistedIndex, openLabelledIndex, persistedIndexKey } from './persisted-index'
import { clusteredRecords } from './testing'
import type { Metric } from './types'
import type { StoreName } from './benchmark/stores'

const RECORDS = clusteredRecords({ count: 600, dimension: 24, clusters: 12, seed: 7 })
const QUERIES = clusteredRecords({ count: 40, dimension: 24, clusters: 12, seed: 8 }).map((record) => record.vector)
const EMBEDDINGS = { key: 'embeddings/d/x.emb', sha256: 'a'.repeat(64) }
const FAISS = loadFaiss()

const SUBJECTS: { store: StoreName; metric: Metric; settings: Record<string, unknown> }[] = [
  { store: 'usearch', metric: 'cosine', settings: { m: 16, efConstruction: 64, efSearch: 32 } },
  { store: 'usearch', metric: 'l2', settings: {} },
  ...(['HNSW32', 'IVF8,Flat', 'Flat'] as const).map((factory) => ({ store: 'faiss' as const, metric: 'ip' as const, settings: factory.startsWith('IVF') ? { factory, nprobe: 2 } : { factory } })),
]

let folder: string
let artifacts: FsArtifactStore
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'persisted-index-'))
  artifacts = new FsArtifactStore(join(folder, 'artifacts'))
})
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('a persisted index', () => {
  it.each(SUBJECTS)('$store $metric $settings: reloads from the artifact store and answers the same neighbours', async ({ store, metric, settings }) => {
    if (store === 'faiss' && 'reason' in FAISS) return void console.warn(`faiss not tested: ${FAISS.reason}`)
    const spec = { name: 'persisted_test', metric, settings }
    // Built and persisted (what a hybrid job does when no index job ran), queried in the same process.
    const built = await openLabelledIndex(store, spec, RECORDS, { artifacts, embeddings: EMBEDDINGS, save: true })
    const before = await Promise.all(QUERIES.map((query) => built.index.query(query, 10)))
    await built.opened.store.close()
    expect(built.loadedFrom).toBeUndefined()
    expect(built.savedTo).toBe(persistedIndexKey(EMBEDDINGS, store, spec))

    // Loaded instead of built: the same ids, in the same order, with the same scores.
    const loaded = await openLabelledIndex(store, spec, RECORDS, { artifacts, embeddings: EMBEDDINGS })
    try {
      expect(loaded.loadedFrom).toBe(built.savedTo)
      expect((await loaded.index.stats()).count).toBe(RECORDS.length)
      const after = await Promise.all(QUERIES.map((query) => loaded.index.query(query, 10)))
      expect(after.map((matches) => matches.map((match) => [match.id, match.label]))).toEqual(before.map((matches) => matches.map((match) => [match.id, match.label])))
      after.flat().forEach((match, i) => expect(match.score).toBeCloseTo(before.flat()[i]!.score, 5))
    } finally {
      await loaded.opened.store.close()
    }
  })

  it('is measured and checked by the index step: build time, size, and the load time a deployment pays instead', async () => {
    const build = await buildIndex(artifacts, 'usearch', { name: 'index_step', metric: 'cosine', settings: {} }, RECORDS, EMBEDDINGS)
    expect(build).toMatchObject({ count: RECORDS.length, dimension: 24, persisted: { key: persistedIndexKey(EMBEDDINGS, 'usearch', { metric: 'cosine', settings: {} }) } })
    expect(build.buildSeconds).toBeCloseTo(build.insertSeconds + build.optimizeSeconds, 10)
    expect(build.indexBytes).toBeGreaterThan(0)
    expect(build.persisted!.bytes).toBeGreaterThan(build.indexBytes!)
    expect(build.persisted!.loadSeconds).toBeGreaterThan(0)
  })

  it('is looked up by the embedding set and the settings, and refused when its bytes changed', async () => {
    const spec = { name: 'lookup_test', metric: 'cosine' as const, settings: { m: 8 } }
    await buildIndex(artifacts, 'usearch', spec, RECORDS, EMBEDDINGS)
    const full = { ...spec, dimension: 24 }
    // Another set, other settings: another key, so nothing to load (the index is built).
    expect(await loadPersistedIndex(artifacts, 'usearch', full, { ...EMBEDDINGS, sha256: 'b'.repeat(64) })).toBeUndefined()
    expect(await loadPersistedIndex(artifacts, 'usearch', { ...full, settings: { m: 12 } }, EMBEDDINGS)).toBeUndefined()
    // A set whose sha256 shares the key's 16 hex digits is still not this one.
    await expect(loadPersistedIndex(artifacts, 'usearch', full, { ...EMBEDDINGS, sha256: `${'a'.repeat(16)}${'c'.repeat(48)}` })).rejects.toThrow(/was built over embeddings/)
    const key = persistedIndexKey(EMBEDDINGS, 'usearch', spec)
    const file = await artifacts.get(key)
    file[file.length - 1]! ^= 1
    await artifacts.put(key, file)
    await expect(loadPersistedIndex(artifacts, 'usearch', full, EMBEDDINGS)).rejects.toThrow(/bytes hash to/)
  })

  it('is not written for a store that owns its storage elsewhere, which says why', async () => {
    const build = await buildIndex(artifacts, 'exact', { name: 'exact_test', metric: 'cosine' }, RECORDS, EMBEDDINGS)
    expect(build).toMatchObject({ count: RECORDS.length, persisted: null, notPersisted: expect.stringMatching(/no index beyond the vectors/) })
    expect(await loadPersistedIndex(artifacts, 'exact', { name: 'exact_test', metric: 'cosine', dimension: 24 }, EMBEDDINGS)).toBeUndefined()
  })
})
