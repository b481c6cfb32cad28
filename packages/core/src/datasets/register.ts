import type { Database } from '../db/connect'
import { newId } from '../ids'
import { deleteDatasetRow, findDataset, saveDataset, type DatasetRow } from '../repositories/datasets'
import { notFound, ProblemError } from '../errors'
import type { ArtifactStore } from '../storage/artifact-store'
import { contentKey, sha256Hex } from '../storage/content-address'
import { loadBanking77, type DatasetSplits, type Example } from '@bankbench/data'

const SPLIT_NAMES = ['train', 'validation', 'test'] as const
/** The out-of-scope messages of a dataset that marks some: `{validation: string[], test: string[]}` (DatasetSplits.outOfScope). */
const OUT_OF_SCOPE_FILE = 'out-of-scope.json'

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
  const { outOfScope } = input.splits
  const hasOutOfScope = outOfScope !== undefined && outOfScope.validation.length + outOfScope.test.length > 0
  const files = {
    'labels.json': JSON.stringify(input.splits.labels),
    ...Object.fromEntries(SPLIT_NAMES.map((split) => [`${split}.jsonl`, toJsonl(input.splits[split])])),
    // Only when there are some: a dataset without keeps its content hash.
    ...(hasOutOfScope && { [OUT_OF_SCOPE_FILE]: JSON.stringify({ validation: outOfScope.validation, test: outOfScope.test }) }),
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
    splits: {
      train: input.splits.train.length, validation: input.splits.validation.length, test: input.splits.test.length,
      ...(hasReplies(input.splits) && { replies: true }),
      ...(hasOutOfScope && { outOfScope: { validation: outOfScope.validation.length, test: outOfScope.test.length } }),
    },
    artifactKey,
  })
}

/** Whether the dataset's rows carry the bank's replies (an upload's `reply` column: then every in-scope row has one). */
export function hasReplies(splits: DatasetSplits): boolean {
  return splits.train.length > 0 && splits.train.every((example) => example.reply !== undefined)
}

/** Registers the built-in Banking77 dataset under the id `banking77` (idempotent). */
export function registerBanking77(db: Database, store: ArtifactStore) {
  return registerDataset(db, store, { id: 'banking77', name: 'Banking77 (official split, 500-row validation carve-out)', source: 'builtin', splits: loadBanking77() })
}

/**
 * Erases a dataset: its files in the artifact store and its row. Refused (409) while a
 * benchmark uses it, naming the benchmarks, and for a built-in dataset (Banking77 is
 * public data, not a bank's; it ships with bankbench and is registered again at every
 * start, so deleting it would not last). The files are deleted inside the row's
 * transaction, after the row: a store failure keeps the row, and the call can be
 * repeated. Files are content-addressed, so a dataset uploaded again later is stored
 * anew; one re-uploaded with the same content while it is being deleted can find its
 * files gone (a new upload of the content writes them again).
 */
export async function deleteDataset(db: Database, store: ArtifactStore, id: string): Promise<{ dataset: DatasetRow; erasedFiles: string[] }> {
  const found = await findDataset(db, id)
  // A row's source never changes: checked once, before the transaction.
  if (found?.source === 'builtin') {
    throw new ProblemError('conflict', `dataset '${found.id}' is built in: it ships with bankbench (public data, no customer text) and is registered again at every start, so it cannot be deleted`)
  }
  const erasedFiles: string[] = []
  const deletion = await deleteDatasetRow(db, id, async (dataset) => {
    for (const key of await store.list(`${dataset.artifactKey}/`)) {
      await store.delete(key)
      erasedFiles.push(key)
    }
  })
  if (deletion.outcome === 'missing') throw notFound('dataset', id)
  if (deletion.outcome === 'in-use') {
    const { total, benchmarks } = deletion.dependants
    const named = benchmarks.map((benchmark) => `${benchmark.id} ('${benchmark.name}', ${benchmark.status})`).join(', ')
    throw new ProblemError('conflict',
      `dataset '${id}' is used by ${total} benchmark(s): ${named}${total > benchmarks.length ? `, and ${total - benchmarks.length} more` : ''}; ` +
      'their runs read it and their results refer to it, so it cannot be deleted while they exist',
      benchmarks.map((benchmark) => ({ path: 'benchmarks', message: benchmark.id })))
  }
  return { dataset: deletion.dataset, erasedFiles }
}

/** Reads a stored dataset back (what a job does before training). */
export async function loadDatasetSplits(store: ArtifactStore, dataset: { artifactKey: string }): Promise<DatasetSplits> {
  const read = async (name: string) => new TextDecoder().decode(await store.get(`${dataset.artifactKey}/${name}`))
  const [labels, train, validation, test, outOfScope] = await Promise.all([
    read('labels.json').then((text) => JSON.parse(text) as string[]),
    ...SPLIT_NAMES.map((split) => read(`${split}.jsonl`).then(fromJsonl)),
    store.exists(`${dataset.artifactKey}/${OUT_OF_SCOPE_FILE}`).then(async (exists) => exists ? JSON.parse(await read(OUT_OF_SCOPE_FILE)) as { validation: string[]; test: string[] } : undefined),
  ])
  return {
    labels: labels as string[], train: train as Example[], validation: validation as Example[], test: test as Example[],
    ...(outOfScope && { outOfScope: outOfScope as { validation: string[]; test: string[] } }),
  }
}

function toJsonl(examples: Example[]): string {
  return examples.map((example) => JSON.stringify({ text: example.text, label: example.label, ...(example.reply !== undefined && { reply: example.reply }) })).join('\n') + '\n'
}

function fromJsonl(text: string): Example[] {
  return text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Example)
}
