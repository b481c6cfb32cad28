/**
 * The train and pretrain jobs' code on Banking77, in-process, beside TF-IDF + logistic
 * regression as the named peer:
 *   npx tsx bench/train-banking77.ts [--pretrain-epochs 3] [--pretrain-set key=value ...] [--corpus banking77|banking77+nlupp] [--epochs 5] [--methods lora,full]
 *     [--backbone DIR] [--pooling model|cls|mean] [--set key=value ...]
 * Pretrains the local backbone with the job's defaults (or reuses DIR when it holds
 * one; --pretrain-set overrides the engine's PRETRAIN_DEFAULTS; --pretrain-epochs 0 saves the
 * randomly initialised model, the no-pretraining control), fine-tunes each method with the
 * job's defaults on the 9,503 training rows (--pooling overrides the backbone's
 * classifier_pooling, to compare poolings on one backbone),
 * selects the best epoch on the 500 validation rows, and prints accuracy on the
 * official 3,080 test rows with training time and time per step.
 */
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadBanking77, loadNluppBanking } from '@bankbench/data'
import { trainBaseline } from '@bankbench/baselines'
import { fineTuneClassifier, initBackend, loadCheckpoint, pretrainBackbone, saveCheckpoint, trainSettings } from '@bankbench/engine'
import { evaluateClassifier } from '@bankbench/metrics'

const { values } = parseArgs({
  options: {
    'pretrain-epochs': { type: 'string', default: '3' },
    epochs: { type: 'string', default: '5' },
    methods: { type: 'string', default: 'lora,full' },
    backbone: { type: 'string', default: '.bankbench/bench/local-backbone' },
    'pretrain-set': { type: 'string', multiple: true, default: [] },
    /** The pretraining text: Banking77's training split alone, or with NLU++ banking's utterances (labels unused). */
    corpus: { type: 'string', default: 'banking77' },
    pooling: { type: 'string' },
    /** Hyperparameters for the fine-tuning runs, the API's names: --set learning_rate=0.001 --set r=16 */
    set: { type: 'string', multiple: true, default: [] },
  },
})
const SEED = 42
const hyperparameters = parseSettings(values.set)

const backend = await initBackend()
const data = loadBanking77()
const trainTexts = data.train.map((example) => example.text)
const corpusTexts = pretrainingCorpus(values.corpus, trainTexts)
console.log(`Banking77: ${data.train.length} train, ${data.validation.length} validation, ${data.test.length} test; backend ${backend.name} (simd ${backend.simd ?? '-'}, ${backend.threads} thread)`)

const rows: { name: string; accuracy: number; macroF1: number; trainSeconds: number; stepMs: number | null; p50Ms: number; detail: string }[] = []

if (!existsSync(`${values.backbone}/config.json`)) {
  const started = performance.now()
  const { checkpoint, training, vocabSize } = await pretrainBackbone(corpusTexts, data.validation.map((example) => example.text), parseSettings(values['pretrain-set']), {
    epochs: Number(values['pretrain-epochs']),
    seed: SEED,
    log: console.log,
    onEpoch: (record) => console.log(`  pretrain epoch ${record.epoch + 1}: train ${record.trainLoss.toFixed(3)}, validation MLM loss ${record.validation?.loss.toFixed(3)} accuracy ${percent(record.validation?.accuracy ?? 0)} (${(record.elapsedMs / 1000).toFixed(0)} s)`),
  })
  await saveCheckpoint(values.backbone, checkpoint)
  console.log(`pretrain: vocabulary ${vocabSize}, ${training.steps} steps in ${((performance.now() - started) / 1000).toFixed(0)} s (${training.steps > 0 ? (training.elapsedMs / training.steps).toFixed(0) : "-"} ms/step)\n`)
}
const saved = await loadCheckpoint(values.backbone)
const base = values.pooling ? { ...saved, config: { ...saved.config, classifier_pooling: values.pooling } } : saved
console.log(`backbone ${values.backbone}: hidden ${saved.config.hidden_size}, ${saved.config.num_hidden_layers} layers, classifier pooling ${base.config.classifier_pooling ?? 'model'}`)

for (const method of values.methods.split(',') as ('full' | 'lora')[]) {
  const settings = trainSettings(method, hyperparameters)
  const fineTuned = await fineTuneClassifier({
    base, labels: data.labels, train: data.train, validation: data.validation, method, peftConfig: settings.peftConfig,
    maxLength: settings.maxLength, epochs: Number(values.epochs), batchSize: settings.batchSize, learningRate: settings.learningRate,
    scheduler: settings.scheduler, warmupRatio: settings.warmupRatio, weightDecay: settings.weightDecay, seed: SEED,
    onEpoch: (record) => console.log(`  ${method} epoch ${record.epoch + 1}: train loss ${record.trainLoss.toFixed(3)}, validation ${percent(record.validation!.accuracy)} (${(record.elapsedMs / 1000).toFixed(0)} s)`),
  })
  const { result, parameterCounts } = fineTuned
  const evaluation = await evaluateClassifier(fineTuned.classifier, data)
  fineTuned.classifier.dispose()
  rows.push({
    name: method, accuracy: evaluation.test.accuracy, macroF1: evaluation.test.macroF1, trainSeconds: result.elapsedMs / 1000,
    stepMs: result.elapsedMs / result.steps, p50Ms: evaluation.latency.p50Ms,
    detail: `lr ${settings.learningRate}, ${JSON.stringify(settings.peftConfig)}, best epoch ${(result.best?.epoch ?? 0) + 1}, trainable ${(100 * parameterCounts.ratio).toFixed(1)}% of ${parameterCounts.total}`,
  })
}

const started = performance.now()
const tfidf = trainBaseline('tfidf-logreg', data.train, data.labels, { seed: SEED })
const tfidfSeconds = (performance.now() - started) / 1000
const tfidfEvaluation = await evaluateClassifier(tfidf, data)
rows.push({ name: 'tfidf-logreg (peer)', accuracy: tfidfEvaluation.test.accuracy, macroF1: tfidfEvaluation.test.macroF1, trainSeconds: tfidfSeconds, stepMs: null, p50Ms: tfidfEvaluation.latency.p50Ms, detail: 'same 9,503 training rows' })

const peer = rows.at(-1)!
console.log(`\n${'method'.padEnd(20)} ${'accuracy'.padStart(9)} ${'macro-F1'.padStart(9)} ${'vs peer'.padStart(8)} ${'train s'.padStart(8)} ${'ms/step'.padStart(8)} ${'p50 ms'.padStart(7)}  settings`)
for (const row of rows) {
  console.log(`${row.name.padEnd(20)} ${percent(row.accuracy).padStart(9)} ${percent(row.macroF1).padStart(9)} ${`${((row.accuracy - peer.accuracy) * 100).toFixed(2)} pt`.padStart(8)} ` +
    `${row.trainSeconds.toFixed(0).padStart(8)} ${(row.stepMs?.toFixed(0) ?? '-').padStart(8)} ${row.p50Ms.toFixed(2).padStart(7)}  ${row.detail}`)
}

/** `key=value` pairs, the API's names: numbers as numbers, JSON where it parses, else the string (all-linear, mean). */
/**
 * The texts MLM pretraining sees. Never Banking77's test split: NLU++ utterances that
 * also occur in Banking77's test set are left out, so no test text is ever seen.
 */
function pretrainingCorpus(corpus: string | undefined, banking77Train: string[]): string[] {
  if (corpus === 'banking77') return banking77Train
  if (corpus !== 'banking77+nlupp') throw new Error(`--corpus ${corpus}: use banking77 or banking77+nlupp`)
  const testTexts = new Set(data.test.map((example) => example.text.trim().toLowerCase()))
  const nlupp = loadNluppBanking().map((utterance) => utterance.text).filter((text) => !testTexts.has(text.trim().toLowerCase()))
  console.log(`corpus: ${banking77Train.length} Banking77 training texts + ${nlupp.length} NLU++ banking utterances`)
  return [...banking77Train, ...nlupp]
}

function parseSettings(pairs: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(pairs.map((pair) => {
    const [key, value] = pair.split('=') as [string, string]
    if (!Number.isNaN(Number(value))) return [key, Number(value)]
    try {
      return [key, JSON.parse(value)]
    } catch {
      return [key, value]
    }
  }))
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`
}
