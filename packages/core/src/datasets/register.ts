import type { Database } from '../db/connect'
import { newId } from '../ids'
import { saveDataset, type DatasetRow } from '../repositories/datasets'
import type { ArtifactStore } from '../storage/artifact-store'
import { contentKey, sha256Hex } from '../storage/content-address'
import { loadBanking77, type DatasetSplits, type Example } from '@bankbench/data'

const SPLIT_NAMES = ['train', 'validation', 'test'] as const

/**
 * Stores a dataset's splits as JSONL under a content-addressed key, then records it.
 * The artifacts are durable before the row exists, so a row never points at
 * missing data; the same content registered twice is stored once.
 */
export async function registerDataset(
  db: Database,
  store: ArtifactStore,
  input: { name: string; source: 'builtin' | 'upload'; splits: DatasetSplits; id?: string },
): Promise<{ dataset: DatasetRow; created: boolean }> {
  const files = {
    'labels.json': JSON.stringify(input.splits.labels),
    ...Object.fromEntries(SPLIT_NAMES.map((split) => [`${split}.jsonl`, toJsonl(input.splits[split])])),
  }
  const contentHash = sha256Hex(Object.entries(files).map(([name, body]) => `${name}\n${sha256Hex(body)}`).join('\n'))
  const artifactKey = contentKey('datasets', contentHash)
  for (const [name, body] of Object.entries(files)) {
    if (!(await store.exists(`${artifactKey}/${name}`))) await store.put(`${artifactKey}/${name}`, body, { contentType: 'application/json' })
  }
  return saveDataset(db, {
    id: input.id ?? newId('ds'),
    name: input.name,
    source: input.source,
    contentHash,
    labels: input.splits.labels,
    splits: { train: input.splits.train.length, validation: input.splits.validation.length, test: input.splits.test.length },
    artifactKey,
  })
}

/** Registers the built-in Banking77 dataset under the id `banking77` (idempotent). */
export function registerBanking77(db: Database, store: ArtifactStore) {
  return registerDataset(db, store, { id: 'banking77', name: 'Banking77 (official split, 500-row validation carve-out)', source: 'builtin', splits: loadBanking77() })
}

/** Reads a stored dataset back (what a job does before training). */
export async function loadDatasetSplits(store: ArtifactStore, dataset: { artifactKey: string }): Promise<DatasetSplits> {
  const read = async (name: string) => new TextDecoder().decode(await store.get(`${dataset.artifactKey}/${name}`))
  const [labels, train, validation, test] = await Promise.all([
    read('labels.json').then((text) => JSON.parse(text) as string[]),
    ...SPLIT_NAMES.map((split) => read(`${split}.jsonl`).then(fromJsonl)),
  ])
  return { labels: labels as string[], train: train as Example[], validation: validation as Example[], test: test as Example[] }
}

function toJsonl(examples: Example[]): string {
  return examples.map((example) => JSON.stringify({ text: example.text, label: example.label })).join('\n') + '\n'
}

function fromJsonl(text: string): Example[] {
  return text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Example)
}
