/**
 * TF-IDF + logistic regression on Banking77, ours (TypeScript) against the named peer
 * scikit-learn, with the same data files and feature settings.
 *   npx tsx bench/tfidf-logreg.ts
 * Trains on the official 10,003 training rows, tests on the official 3,080 rows, and
 * prints accuracy, macro-F1, training time and batch-1 latency with ratios, plus the
 * random and majority floors. Both sides get the same L-BFGS iteration limit.
 */
import { spawnSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DATA_DIR, loadBanking77, type Example } from '@bankbench/core'
import { DEFAULT_TFIDF_LOGREG_OPTIONS, trainBaseline, type TextClassifier } from '@bankbench/baselines'
import { classificationReport, latencySummary, PeakMemoryTracker } from '@bankbench/metrics'

const PYTHON = '/usr/bin/python3'
const PEER_SCRIPT = fileURLToPath(new URL('./peers/sklearn_tfidf.py', import.meta.url))
/** Batch-1 latency is measured on the first this-many test queries, for both sides. */
const LATENCY_QUERIES = 500
const SEED = 0

interface Row {
  accuracy: number
  macroF1: number
  trainSeconds: number
  /** CPU time of the training process: steadier than wall time when the machine is shared. */
  trainCpuSeconds: number
  p50Ms: number
  p95Ms: number
}

const { labels, train, validation, test } = loadBanking77()
const officialTrain = [...train, ...validation]
const options = DEFAULT_TFIDF_LOGREG_OPTIONS

console.log(`Load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores: wall times stretch on a shared machine, CPU times less so`)
console.log(`Banking77: ${officialTrain.length} training rows, ${test.length} test rows, ${labels.length} labels`)
console.log(`Features: word ${options.wordNgramRange.join('-')} grams + char_wb ${options.charNgramRange.join('-')} grams, sublinear tf, L2 per block; C=${options.C}, max ${options.maxIterations} L-BFGS iterations\n`)

const memory = new PeakMemoryTracker()
let iterations = 0
const started = performance.now()
const startedCpu = process.cpuUsage()
const ours = trainBaseline('tfidf-logreg', officialTrain, labels, { seed: SEED, onIteration: (iteration) => { iterations = iteration; memory.sample() } })
const trainSeconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(startedCpu)
const trainCpuSeconds = (cpu.user + cpu.system) / 1e6
const oursRow: Row = { ...evaluate(ours, test), trainSeconds, trainCpuSeconds, ...batchOneLatency(ours, test) }
const peakBytes = memory.stop()
console.log(`ours: ${iterations} L-BFGS iterations, peak RSS ${(peakBytes / 2 ** 20).toFixed(0)} MiB`)

const peer = runPeer()

printTable(oursRow, peer)
for (const method of ['random', 'majority'] as const) {
  const { accuracy, macroF1 } = evaluate(trainBaseline(method, officialTrain, labels, { seed: SEED }), test)
  console.log(`${method.padEnd(9)} accuracy ${percent(accuracy)}, macro-F1 ${percent(macroF1)}`)
}

function evaluate(classifier: TextClassifier, examples: Example[]): { accuracy: number; macroF1: number } {
  const predicted = classifier.predict(examples.map((example) => example.text)).map((prediction) => prediction.label)
  const report = classificationReport(examples.map((example) => example.label), predicted, labels)
  return { accuracy: report.accuracy, macroF1: report.macroF1 }
}

function batchOneLatency(classifier: TextClassifier, examples: Example[]): { p50Ms: number; p95Ms: number } {
  const queries = examples.slice(0, LATENCY_QUERIES).map((example) => example.text)
  for (const text of queries.slice(0, 20)) classifier.predict([text]) // let the JIT settle first
  const samples = queries.map((text) => {
    const start = performance.now()
    classifier.predict([text])
    return performance.now() - start
  })
  const { p50Ms, p95Ms } = latencySummary(samples)
  return { p50Ms, p95Ms }
}

/** Runs the scikit-learn peer on the same CSV files, or says why it could not. */
function runPeer(): Row | string {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' })
  if (probe.status !== 0) return `scikit-learn is not importable by ${PYTHON} (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}); install Debian's python3-sklearn`
  const directory = join(DATA_DIR, 'banking77')
  const result = spawnSync(PYTHON, [
    PEER_SCRIPT,
    '--train', join(directory, 'train.csv'),
    '--test', join(directory, 'test.csv'),
    '--C', String(options.C),
    '--max-iter', String(options.maxIterations),
    '--latency-queries', String(LATENCY_QUERIES),
  ], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 })
  if (result.status !== 0) return `the scikit-learn peer failed: ${result.stderr.trim().split('\n').pop()}`
  const peerResult = JSON.parse(result.stdout) as Row & { trainRows: number; testRows: number; iterations: number }
  if (peerResult.trainRows !== officialTrain.length || peerResult.testRows !== test.length) {
    return `the peer read ${peerResult.trainRows}/${peerResult.testRows} rows, not ${officialTrain.length}/${test.length}`
  }
  console.log(`scikit-learn: ${peerResult.iterations} L-BFGS iterations`)
  return peerResult
}

function printTable(oursRow: Row, peerRow: Row | string): void {
  const peerAvailable = typeof peerRow !== 'string'
  const columns = ['', 'ours (TypeScript)', ...(peerAvailable ? ['scikit-learn', 'ours / sklearn'] : [])]
  const lines: [string, (row: Row) => number, (value: number) => string][] = [
    ['accuracy', (row) => row.accuracy, percent],
    ['macro-F1', (row) => row.macroF1, percent],
    ['train s, wall (fit incl. features)', (row) => row.trainSeconds, (value) => value.toFixed(1)],
    ['train s, CPU', (row) => row.trainCpuSeconds, (value) => value.toFixed(1)],
    ['latency p50 ms (batch 1)', (row) => row.p50Ms, (value) => value.toFixed(3)],
    ['latency p95 ms (batch 1)', (row) => row.p95Ms, (value) => value.toFixed(3)],
  ]
  const table = lines.map(([name, read, format]) => [
    name,
    format(read(oursRow)),
    ...(peerAvailable ? [format(read(peerRow)), `${(read(oursRow) / read(peerRow)).toFixed(3)}x`] : []),
  ])
  const widths = columns.map((column, index) => Math.max(column.length, ...table.map((cells) => cells[index]!.length)))
  const render = (cells: string[]): string => `| ${cells.map((cell, index) => cell.padEnd(widths[index]!)).join(' | ')} |`
  console.log(`\n${render(columns)}\n|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
  for (const cells of table) console.log(render(cells))
  if (!peerAvailable) console.log(`\nPeer skipped: ${peerRow}`)
  console.log('(ratios: above 1x is better for accuracy and macro-F1, below 1x is better for time)\n')
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`
}
