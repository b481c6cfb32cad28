/**
 * The train and pretrain jobs' code on Banking77, in-process, beside TF-IDF + logistic
 * regression as the named peer:
 *   npx tsx bench/train-banking77.ts [--backbone models/bankbench-mini] [--methods full,lora,qlora,ia3,prefix-tuning,adapter,probe]
 *     [--epochs 5] [--method-epochs full=8,lora=10] [--set key=value | --set method.key=value ...] [--pooling model|cls|mean]
 *     [--pretrain-epochs 3] [--pretrain-set key=value ...] [--corpus banking77|banking77+nlupp]
 * Pretrains the local backbone with the job's defaults (or reuses DIR when it holds
 * one; --pretrain-set overrides the engine's PRETRAIN_DEFAULTS; --pretrain-epochs 0 saves the
 * randomly initialised model, the no-pretraining control), fine-tunes each method with the
 * job's defaults on the 9,503 training rows (--pooling overrides the backbone's
 * classifier_pooling, to compare poolings on one backbone),
 * selects the best epoch on the 500 validation rows, and prints accuracy on the
 * official 3,080 test rows with training time and time per step.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { loadBanking77, loadNluppBanking, seededShuffle } from '@bankbench/data'
import { trainBaseline, trainFeatureBaseline } from '@bankbench/baselines'
import { fineTuneClassifier, initBackend, loadCheckpoint, pretrainBackbone, saveCheckpoint, SentenceEncoder, trainSettings } from '@bankbench/engine'
import type { PeftMethodName } from '@bankbench/engine'
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
    /** Hyperparameters for the fine-tuning runs, the API's names: --set learning_rate=0.001 --set r=16; one method's only: --set full.learning_rate=2e-4 */
    set: { type: 'string', multiple: true, default: [] },
    /** Fine-tune on a seeded subset of the training rows, as a benchmark's protocol.trainSubset does (the demo: 5000). */
    'train-subset': { type: 'string' },
    /** Leave out the TF-IDF peer row (bench/job-concurrency.ts times fine-tuning jobs alone). */
    'no-peer': { type: 'boolean', default: false },
    /** Per-method epochs: --method-epochs full=8,lora=10 (else --epochs) */
    'method-epochs': { type: 'string', default: '' },
    /** Also write the table as JSON (what scripts/write-model-card.ts reads): --json-out .bankbench/eval/bankbench-mini.json */
    'json-out': { type: 'string' },
  },
})
const SEED = 42
const methodEpochs = new Map(values['method-epochs'].split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]).map(([method, epochs]) => [method, Number(epochs)]))
/** --set key=value for every method, method.key=value for one. */
function hyperparametersOf(method: string): Record<string, unknown> {
  const shared = values.set.filter((pair) => !/^[a-z0-9-]+\.[a-z_]+=/.test(pair))
  const own = values.set.filter((pair) => pair.startsWith(`${method}.`)).map((pair) => pair.slice(method.length + 1))
  return parseSettings([...shared, ...own])
}

const backend = await initBackend()
const fullData = loadBanking77()
// The trainer job's subset: the first N of the training rows shuffled with the run's seed.
const data = values['train-subset'] ? { ...fullData, train: seededShuffle(fullData.train, SEED).slice(0, Number(values['train-subset'])) } : fullData
const trainTexts = data.train.map((example) => example.text)
const corpusTexts = pretrainingCorpus(values.corpus, trainTexts)
console.log(`Banking77: ${data.train.length} train, ${data.validation.length} validation, ${data.test.length} test; backend ${backend.name} (simd ${backend.simd ?? '-'}, ${backend.threads} thread)`)

const rows: { name: string; accuracy: number; macroF1: number; validationAccuracy?: number; trainSeconds: number; stepMs: number | null; p50Ms: number; detail: string }[] = []

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

for (const method of values.methods.split(',')) {
  if (method === 'probe') {
    // The frozen probe: logistic regression on the untuned backbone's mean-pooled features,
    // the floor every PEFT method should clear (the trainer's frozen-probe baseline).
    const started = performance.now()
    const encoder = SentenceEncoder.fromCheckpoint(base, { maxLength: 64, batchSize: 64 })
    const classifier = trainFeatureBaseline('frozen-probe', encoder.embed(data.train.map((example) => example.text)), data.train.map((example) => example.label), data.labels, { seed: SEED })
    const trainSeconds = (performance.now() - started) / 1000
    const evaluation = await evaluateClassifier({ predict: (texts) => classifier.predict(encoder.embed(texts)) }, data)
    encoder.dispose()
    rows.push({ name: 'frozen-probe', accuracy: evaluation.test.accuracy, macroF1: evaluation.test.macroF1, validationAccuracy: evaluation.validation.accuracy, trainSeconds, stepMs: null, p50Ms: evaluation.latency.p50Ms,
      detail: `validation ${percent(evaluation.validation.accuracy)}` })
    console.log(`  frozen-probe: validation ${percent(evaluation.validation.accuracy)}, test ${percent(evaluation.test.accuracy)}`)
    continue
  }
  const settings = trainSettings(method as PeftMethodName, hyperparametersOf(method))
  const epochs = methodEpochs.get(method) ?? Number(values.epochs)
  const fineTuned = await fineTuneClassifier({
    base, labels: data.labels, train: data.train, validation: data.validation, method: method as PeftMethodName, peftConfig: settings.peftConfig,
    maxLength: settings.maxLength, epochs, batchSize: settings.batchSize, learningRate: settings.learningRate,
    scheduler: settings.scheduler, warmupRatio: settings.warmupRatio, weightDecay: settings.weightDecay, seed: SEED,
    onEpoch: (record) => console.log(`  ${method} epoch ${record.epoch + 1}: train loss ${record.trainLoss.toFixed(3)}, validation ${percent(record.validation!.accuracy)} (${(record.elapsedMs / 1000).toFixed(0)} s)`),
  })
  const { result, parameterCounts } = fineTuned
  const evaluation = await evaluateClassifier(fineTuned.classifier, data)
  fineTuned.classifier.dispose()
  rows.push({
    name: method, accuracy: evaluation.test.accuracy, macroF1: evaluation.test.macroF1, validationAccuracy: evaluation.validation.accuracy, trainSeconds: result.elapsedMs / 1000,
    stepMs: result.elapsedMs / result.steps, p50Ms: evaluation.latency.p50Ms,
    detail: `lr ${settings.learningRate}, ${epochs} ep, ${JSON.stringify(settings.peftConfig)}, best epoch ${(result.best?.epoch ?? 0) + 1} (validation ${percent(evaluation.validation.accuracy)}), trainable ${(100 * parameterCounts.ratio).toFixed(2)}% of ${parameterCounts.total}`,
  })
  console.log(`  ${method}: test ${percent(evaluation.test.accuracy)}`)
}

if (!values['no-peer']) {
  const started = performance.now()
  const tfidf = trainBaseline('tfidf-logreg', data.train, data.labels, { seed: SEED })
  const tfidfSeconds = (performance.now() - started) / 1000
  const tfidfEvaluation = await evaluateClassifier(tfidf, data)
  rows.push({ name: 'tfidf-logreg (peer)', accuracy: tfidfEvaluation.test.accuracy, macroF1: tfidfEvaluation.test.macroF1, validationAccuracy: tfidfEvaluation.validation.accuracy, trainSeconds: tfidfSeconds, stepMs: null, p50Ms: tfidfEvaluation.latency.p50Ms, detail: `same ${data.train.length.toLocaleString('en')} training rows` })
}

if (values['json-out']) {
  mkdirSync(dirname(values['json-out']), { recursive: true })
  writeFileSync(values['json-out'], `${JSON.stringify({ backbone: values.backbone, backend: backend.name, measuredAt: new Date().toISOString(), command: `npx tsx bench/train-banking77.ts ${process.argv.slice(2).join(' ')}`, trainRows: data.train.length, rows }, null, 2)}\n`)
}
const peer = values['no-peer'] ? null : rows.at(-1)!
console.log(`\n${'method'.padEnd(20)} ${'accuracy'.padStart(9)} ${'macro-F1'.padStart(9)} ${'vs peer'.padStart(8)} ${'train s'.padStart(8)} ${'ms/step'.padStart(8)} ${'p50 ms'.padStart(7)}  settings`)
for (const row of rows) {
  console.log(`${row.name.padEnd(20)} ${percent(row.accuracy).padStart(9)} ${percent(row.macroF1).padStart(9)} ${(peer ? `${((row.accuracy - peer.accuracy) * 100).toFixed(2)} pt` : '-').padStart(8)} ` +
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
