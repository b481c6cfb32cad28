/**
 * The hybrid classifier on Banking77: a classifier's probabilities mixed with kNN votes
 * from a vector store of the labelled training queries (packages/vector-stores/src/hybrid.ts),
 * the weight and k chosen on the validation split, scored on the official test split
 * beside the classifier alone and kNN alone.
 *   npx tsx bench/hybrid.ts [--encoder tfidf-svd|base]
 * The classifier here is TF-IDF + logistic regression with every label's probability
 * (PredictOptions.scores). The benchmark method `hybrid` (containers/indexer/hybrid.ts)
 * runs the same rule on any finished run's classifier and makes it deployable.
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { FsArtifactStore, loadBanking77, type Database } from '@bankbench/core'
import { trainBaseline } from '@bankbench/baselines'
import { chooseHybridRule, hybridPredict, probabilitiesFromTopClass, UsearchStore, type Match } from '@bankbench/vector-stores'
import { ensureEmbeddings, row, splitOf } from '@bankbench/vector-stores/embeddings'

const { values } = parseArgs({ options: { encoder: { type: 'string', default: 'tfidf-svd' } } })
const dataset = loadBanking77()
const store = new FsArtifactStore(join(process.cwd(), '.bankbench', 'bench-artifacts'))
// The shipped base model and TF-IDF + SVD never read the database.
const { set } = await ensureEmbeddings({ store, db: undefined as unknown as Database, dataset, datasetHash: 'banking77', encoder: values.encoder === 'base' ? { kind: 'base' } : { kind: 'tfidf-svd' }, log: console.log })
console.log(`Embeddings: ${set.model}`)

const train = splitOf(set, 'train')
const index = await new UsearchStore().createIndex({ name: 'hybrid', dimension: set.dimension, metric: 'cosine', settings: { efSearch: 128 } })
await index.upsert(train.ids.map((id, i) => ({ id, label: train.labels[i]!, vector: row(train.vectors, set.dimension, i) })))

console.log(`Training TF-IDF + logistic regression on ${dataset.train.length} rows`)
const classifier = trainBaseline('tfidf-logreg', dataset.train, dataset.labels, { seed: 0 })

async function inputs(split: 'validation' | 'test') {
  const part = splitOf(set, split)
  const predictions = classifier.predict(dataset[split].map((example) => example.text), { scores: true })
  const matches: Match[][] = []
  for (let i = 0; i < part.count; i++) matches.push(await index.query(row(part.vectors, set.dimension, i), 20))
  return predictions.map((prediction, i) => ({ label: part.labels[i]!, probabilities: prediction.scores ? Float64Array.from(prediction.scores) : probabilitiesFromTopClass(prediction.label, prediction.confidence, dataset.labels), matches: matches[i]! }))
}

const validation = await inputs('validation')
const choice = chooseHybridRule(validation, dataset.labels)
const test = await inputs('test')
const accuracy = (rule: { weight: number; k: number }) => test.filter((input) => hybridPredict(input, dataset.labels, rule) === input.label).length / test.length
const knnK = [1, 3, 5, 10, 20].reduce((best, k) => {
  const value = validation.filter((input) => hybridPredict(input, dataset.labels, { weight: 1, k }) === input.label).length
  return value > best.value ? { k, value } : best
}, { k: 1, value: -1 }).k
console.log(`Chosen on validation (${validation.length} rows): weight ${choice.rule.weight}, k ${choice.rule.k} (validation: hybrid ${pct(choice.validationAccuracy)}, model alone ${pct(choice.modelValidationAccuracy)}, kNN alone ${pct(choice.knnValidationAccuracy)})`)
console.log(`Official test (${test.length} rows): TF-IDF + LR alone ${pct(accuracy({ weight: 0, k: 1 }))}, kNN alone (k ${knnK}) ${pct(accuracy({ weight: 1, k: knnK }))}, hybrid ${pct(accuracy(choice.rule))}`)

function pct(value: number): string {
  return `${(value * 100).toFixed(2)}%`
}
