/**
 * The indexer jobs' shared opening on a real artifact store, without a job process: a remote
 * store whose endpoint is unset is skipped before any embedding work, saying which setting is
 * missing; otherwise the set is made once, then reused, each time saying so in the log.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { FsArtifactStore, type DatasetSplits, type RunContext } from '@bankbench/core'
import { armEmbeddings } from './arm-embeddings'

const directory = mkdtempSync(join(tmpdir(), 'bankbench-arm-embeddings-'))
const store = new FsArtifactStore(join(directory, 'artifacts'))

const examples = (texts: Record<string, string[]>) => Object.entries(texts).flatMap(([label, messages]) => messages.map((text) => ({ text, label })))
const dataset: DatasetSplits = {
  labels: ['lost_card', 'balance'],
  train: examples({ lost_card: ['I lost my card', 'my card was stolen', 'card missing'], balance: ['what is my balance', 'show my balance', 'how much money'] }),
  validation: examples({ lost_card: ['cannot find my card'], balance: ['balance please'] }),
  test: examples({ lost_card: ['someone took my card'], balance: ['how much is left'] }),
}

function context(lines: string[]) {
  return {
    // TF-IDF + SVD embeddings and a skipped store read nothing from the database.
    db: undefined as never,
    store,
    dataset,
    datasetHash: 'arm-embeddings-test',
    run: { id: 'run_arm', benchmarkId: 'bm_arm', config: { seed: 3 } } as unknown as RunContext['run'],
    log: (line: string) => lines.push(line),
  }
}

describe('armEmbeddings: the opening of the index, vector-bench and embed jobs', () => {
  afterEach(() => vi.unstubAllEnvs())
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  it('skips a remote store whose endpoint is unset before any embedding work, saying which setting is missing', async () => {
    vi.stubEnv('MILVUS_URI', '')
    const lines: string[] = []
    const result = await armEmbeddings(context(lines), { store: 'milvus', encoder: 'tfidf-svd' })
    expect(result).toEqual({ skipped: expect.stringMatching(/^milvus: MILVUS_URI is not set/) })
    expect(lines).toEqual([`skipped: ${(result as { skipped: string }).skipped}`])
    expect(readdirSync(directory)).toEqual([])
  })

  it('makes the set once and reuses it, logging which; an unknown encoder fails as before', async () => {
    const lines: string[] = []
    const made = await armEmbeddings(context(lines), { store: 'exact', encoder: 'tfidf-svd' })
    if ('skipped' in made) throw new Error('a local store is never skipped')
    expect(made.reused).toBe(false)
    expect(lines.at(-1)).toBe(`made ${made.key}: ${made.set.model}`)
    const reused = await armEmbeddings(context(lines), { encoder: 'tfidf-svd', describe: ({ reused, key, set }) => `${reused ? 'already stored' : 'made'} ${key}: ${set.model}, dimension ${set.dimension}` })
    expect(reused).toMatchObject({ key: made.key, sha256: made.sha256, reused: true })
    expect(lines.at(-1)).toBe(`already stored ${made.key}: ${made.set.model}, dimension ${made.set.dimension}`)
    await expect(armEmbeddings(context(lines), { encoder: 'word2vec' })).rejects.toThrow(/unknown encoder "word2vec"/)
  })
})
