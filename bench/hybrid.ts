/**
 * The hybrid classifier on Banking77: a classifier's probabilities mixed with kNN votes
 * from a vector store of the labelled training queries (packages/vector-stores/src/hybrid.ts),
 * the weight and k chosen on the validation split, scored on the official test split
 * beside the classifier alone and kNN alone.
 *   npx tsx bench/hybrid.ts [--encoder tfidf-svd|base]
 *   npx tsx bench/hybrid.ts --run full [--epochs 4] [--set learning_rate=0.001 ...] [--backbone models/bankbench-mini]
 * Without --run the classifier is TF-IDF + logistic regression with every label's
 * probability (PredictOptions.scores), mixed over one encoder's embeddings.
 * With --run the classifier is a fine-tuning run of that method on the backbone (the train
 * job's code in process: 9,503 training rows, the best epoch on the 500 validation rows),
 * and it is mixed twice: over the base backbone's embeddings (encoder `base`) and over the
 * run's own fine-tuned encoder (encoder `classifier`: the same model, mean-pooled last hidden
 * states, SentenceEncoder.fromClassifier); the table prints both beside the run alone and
 * the TF-IDF + logistic regression peer (alone, and mixed with each of the two stores). The benchmark method `hybrid`
 * (containers/indexer/hybrid.ts) runs the same rule on any finished run and makes it deployable.
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { FsArtifactStore, loadBanking77, type Database } from '@bankbench/core'
import { trainBaseline } from '@bankbench/baselines'
import { fineTuneClassifier, initBackend, loadCheckpoint, SentenceEncoder, trainSettings, type PeftMethodName } from '@bankbench/engine'
import { chooseHybridRule, hybridPredict, probabilitiesFromTopClass, UsearchStore, type Match } from '@bankbench/vector-stores'
import { ensureEmbeddings, row, splitOf, type EmbeddingSet } from '@bankbench/vector-stores/embeddings'

const { values } = parseArgs({
  options: {
    encoder: { type: 'string', default: 'tfidf-svd' },
    run: { type: 'string' },
    epochs: { type: 'string', default: '4' },
    set: { type: 'string', multiple: true, default: [] },
    backbone: { type: 'string', default: 'models/bankbench-mini' },
  },
})
const SEED = 42
const dataset = loadBanking77()
const store = new FsArtifactStore(join(process.cwd(), '.bankbench', 'bench-artifacts'))
// The shipped base model and TF-IDF + SVD never read the database.
const NO_DATABASE = undefined as unknown as Database

type Probabilities = { validation: Float64Array[]; test: Float64Array[] }
interface Row { name: string; validation: number; test: number; detail: string }

/** Every validation and test row's probabilities from a classifier that predicts with scores. */
function probabilitiesOf(classifier: { predict(texts: string[], options: { scores: boolean }): { label: string; confidence: number; scores?: number[] }[] }): Probabilities {
  const of = (split: 'validation' | 'test') => classifier.predict(dataset[split].map((example) => example.text), { scores: true })
    .map((prediction) => (prediction.scores ? Float64Array.from(prediction.scores) : probabilitiesFromTopClass(prediction.label, prediction.confidence, dataset.labels)))
  return { validation: of('validation'), test: of('test') }
}

function accuracyOf(probabilities: Float64Array[], split: 'validation' | 'test'): number {
  return probabilities.filter((scores, i) => dataset.labels[argmax(scores)] === dataset[split][i]!.label).length / probabilities.length
}

/** The hybrid of `probabilities` with kNN over `set` (usearch, cosine): the rule chosen on validation, scored on test; kNN alone beside it. */
async function hybridRows(name: string, probabilities: Probabilities, set: EmbeddingSet): Promise<Row[]> {
  const train = splitOf(set, 'train')
  const index = await new UsearchStore().createIndex({ name: 'hybrid', dimension: set.dimension, metric: 'cosine', settings: { efSearch: 128 } })
  await index.upsert(train.ids.map((id, i) => ({ id, label: train.labels[i]!, vector: row(train.vectors, set.dimension, i) })))
  const inputs = async (split: 'validation' | 'test') => {
    const part = splitOf(set, split)
    const matches: Match[][] = []
    for (let i = 0; i < part.count; i++) matches.push(await index.query(row(part.vectors, set.dimension, i), 20))
    return probabilities[split].map((scores, i) => ({ label: part.labels[i]!, probabilities: scores, matches: matches[i]! }))
  }
  const validation = await inputs('validation')
  const test = await inputs('test')
  const choice = chooseHybridRule(validation, dataset.labels)
  const accuracy = (rows: typeof test, rule: { weight: number; k: number }) => rows.filter((input) => hybridPredict(input, dataset.labels, rule) === input.label).length / rows.length
  const knnK = [1, 3, 5, 10, 20].reduce((best, k) => (accuracy(validation, { weight: 1, k }) > accuracy(validation, { weight: 1, k: best }) ? k : best), 1)
  console.log(`${name}: chosen on validation weight ${choice.rule.weight}, k ${choice.rule.k} (validation: hybrid ${pct(choice.validationAccuracy)}, model alone ${pct(choice.modelValidationAccuracy)}, kNN alone ${pct(choice.knnValidationAccuracy)})`)
  return [
    { name: `hybrid, ${name}`, validation: choice.validationAccuracy, test: accuracy(test, choice.rule), detail: `weight ${choice.rule.weight}, k ${choice.rule.k}; ${set.model}` },
    { name: `kNN alone, ${name}`, validation: accuracy(validation, { weight: 1, k: knnK }), test: accuracy(test, { weight: 1, k: knnK }), detail: `k ${knnK}` },
  ]
}

const rows: Row[] = []
console.log(`Training TF-IDF + logistic regression on ${dataset.train.length} rows`)
const tfidf = probabilitiesOf(trainBaseline('tfidf-logreg', dataset.train, dataset.labels, { seed: 0 }))
const tfidfRow: Row = { name: 'TF-IDF + LR alone (peer)', validation: accuracyOf(tfidf.validation, 'validation'), test: accuracyOf(tfidf.test, 'test'), detail: 'same training rows' }

if (!values.run) {
  const { set } = await ensureEmbeddings({ store, db: NO_DATABASE, dataset, datasetHash: 'banking77', encoder: values.encoder === 'base' ? { kind: 'base' } : { kind: 'tfidf-svd' }, log: console.log })
  console.log(`Embeddings: ${set.model}`)
  rows.push(tfidfRow, ...(await hybridRows(`TF-IDF + LR with ${values.encoder} encoder`, tfidf, set)))
} else {
  const method = values.run as PeftMethodName
  const backend = await initBackend()
  const base = await loadCheckpoint(values.backbone)
  const settings = trainSettings(method, parseSettings(values.set))
  const epochs = Number(values.epochs)
  console.log(`Fine-tuning ${method} on ${values.backbone} (${epochs} epochs, lr ${settings.learningRate}, backend ${backend.name}) on ${dataset.train.length} rows`)
  const fineTuned = await fineTuneClassifier({
    base, labels: dataset.labels, train: dataset.train, validation: dataset.validation, method, peftConfig: settings.peftConfig,
    maxLength: settings.maxLength, epochs, batchSize: settings.batchSize, learningRate: settings.learningRate,
    scheduler: settings.scheduler, warmupRatio: settings.warmupRatio, weightDecay: settings.weightDecay, seed: SEED,
    onEpoch: (record) => console.log(`  epoch ${record.epoch + 1}: train loss ${record.trainLoss.toFixed(3)}, validation ${pct(record.validation!.accuracy)} (${(record.elapsedMs / 1000).toFixed(0)} s)`),
  })
  const run = probabilitiesOf(fineTuned.classifier)
  const runName = `${method} run (${epochs} ep, lr ${settings.learningRate})`
  rows.push({ name: `${runName} alone`, validation: accuracyOf(run.validation, 'validation'), test: accuracyOf(run.test, 'test'), detail: `best epoch ${(fineTuned.result.best?.epoch ?? 0) + 1}` })

  // Encoder `base`: the untuned backbone mean-pooled (stored once per dataset and backbone).
  const baseSet = (await ensureEmbeddings({ store, db: NO_DATABASE, dataset, datasetHash: 'banking77', encoder: { kind: 'base', baseModel: values.backbone }, log: console.log })).set
  rows.push(...(await hybridRows('base encoder', run, baseSet)))

  // Encoder `classifier`: the run's own fine-tuned model, mean-pooled (what ensureEmbeddings does for `run:<id>`).
  const started = performance.now()
  const own = SentenceEncoder.fromClassifier(fineTuned.classifier, { batchSize: 64 })
  const examples = [...dataset.train, ...dataset.validation, ...dataset.test]
  const ownSet: EmbeddingSet = {
    encoder: `run:${method}-in-process`, model: `the ${method} run's fine-tuned encoder, mean-pooled last hidden states (${own.dimension})`, dimension: own.dimension, datasetHash: 'banking77',
    counts: { train: dataset.train.length, validation: dataset.validation.length, test: dataset.test.length },
    labels: examples.map((example) => example.label), vectors: own.embed(examples.map((example) => example.text)).values, encodeSeconds: 0,
  }
  console.log(`encoded ${examples.length} texts with the run's own encoder in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  own.dispose()
  rows.push(...(await hybridRows('run\'s own encoder', run, ownSet)))
  rows.push(tfidfRow)
  // The peer mixed with the same stores: TF-IDF + LR's probabilities with kNN over each encoder's vectors.
  rows.push(...(await hybridRows('TF-IDF + LR, base encoder', tfidf, baseSet)).slice(0, 1))
  rows.push(...(await hybridRows('TF-IDF + LR, run\'s own encoder', tfidf, ownSet)).slice(0, 1))
}

const runRow = rows[0]!
console.log(`\nOfficial test (${dataset.test.length} rows; validation ${dataset.validation.length} rows chooses weight and k)`)
console.log(`${'classifier'.padEnd(48)} ${'validation'.padStart(10)} ${'test'.padStart(8)} ${'vs first'.padStart(9)}  detail`)
for (const entry of rows) {
  console.log(`${entry.name.padEnd(48)} ${pct(entry.validation).padStart(10)} ${pct(entry.test).padStart(8)} ${`${((entry.test - runRow.test) * 100).toFixed(2)} pt`.padStart(9)}  ${entry.detail}`)
}

function argmax(values: Float64Array): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return best
}

function parseSettings(pairs: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(pairs.map((pair) => {
    const [key, value] = pair.split('=') as [string, string]
    return [key, Number.isNaN(Number(value)) ? value : Number(value)]
  }))
}

function pct(value: number): string {
  return `${(value * 100).toFixed(2)}%`
}
