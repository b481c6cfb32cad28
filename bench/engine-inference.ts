/**
 * Inference latency of the engine against the named peers PyTorch (CPU) and ONNX
 * Runtime, on the same BERT classifier shape and the same token ids:
 *   npx tsx bench/engine-inference.ts [--queries 200] [--batches 20] [--layers 2] [--hidden 128] [--seq 32]
 * Trains a WordPiece tokenizer on the Banking77 training texts, builds a randomly
 * initialised classifier (timing does not depend on the weights), and times the
 * serving path `IntentClassifier.predict` on official test texts: each of the first
 * --queries texts alone (batch 1: p50/p95), and --batches batches of 32 texts each
 * padded to its longest row (ms per batch). The peer gets the very token ids the
 * engine's tokenizer produced and times forward + softmax + argmax in eval mode.
 * ONNX Runtime runs in this process on the engine's own model, exported with
 * `exportOnnx` (same weights, same tokenizer), through the same two measurements, at 1
 * and 2 intra-op threads (bench/peers/onnx-runtime.ts).
 * The engine is timed with its native kernels (OpenBLAS, where `npm run build:native`
 * built them) and without, in the same process; BANKBENCH_NATIVE_KERNELS=0 times plain tfjs only.
 */
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { loadBanking77 } from '@bankbench/data'
import { createSequenceClassifier, initBackend, IntentClassifier, measureLatency, measureThroughput, setNativeKernels, Tokenizer, trainWordPiece } from '@bankbench/engine'
import { onnxPeer, onnxRuntimeVersion, printRatioTable } from './peers/onnx-runtime'
import { bestOf, encoderShape, engineConfig, printComparison, runTorchPeer, type ComparisonRow } from './peers/torch-encoder'

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '200' },
    batches: { type: 'string', default: '20' },
    layers: { type: 'string', default: '2' },
    hidden: { type: 'string', default: '128' },
    seq: { type: 'string', default: '32' },
  },
})
const queryCount = Number(values.queries)
const batchCount = Number(values.batches)
const maxLength = Number(values.seq)
const BATCH_SIZE = 32
const VOCAB_SIZE = 4000
/** Untimed calls before each measurement, on both sides. */
const WARMUP = 5
const SEED = 0

interface PeerInference {
  p50Ms: number
  p95Ms: number
  cpuMsPerQuery: number
  msPerBatch: number
  cpuMsPerBatch: number
}

const backend = await initBackend()
const { labels, train, test } = loadBanking77()
const tokenizer = Tokenizer.fromJSON(trainWordPiece(train.map((example) => example.text), { vocabSize: VOCAB_SIZE }))
const shape = encoderShape({ layers: Number(values.layers), hidden: Number(values.hidden), vocab: tokenizer.vocabSize, labels })
const classifier = new IntentClassifier(createSequenceClassifier(engineConfig(shape), undefined, { seed: SEED }), tokenizer, maxLength)

const queries = test.slice(0, queryCount).map((example) => example.text)
const batchTexts = test.slice(0, batchCount * BATCH_SIZE).map((example) => example.text)
const tokenIds = (text: string): number[] => Array.from(tokenizer.encodeBatch([text], { maxLength }).inputIds)
const meanTokens = queries.reduce((sum, text) => sum + tokenIds(text).length, 0) / queries.length

console.log(`Load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores: wall times stretch on a shared machine, CPU times less so`)
console.log(`Backend ${backend.name} (tfjs ${backend.tfjsVersion}, simd ${backend.simd ?? '-'}, ${backend.threads} thread, custom kernels: ${backend.customKernels.join(', ') || 'none'}, native kernels: ${backend.nativeKernels.join(', ') || 'none'}${backend.nativeThreads ? ` on ${backend.nativeThreads} OpenBLAS threads` : ''})`)
console.log(`Model: BERT, ${shape.layers} layers, hidden ${shape.hidden}, ${shape.heads} heads, FFN ${shape.intermediate}, WordPiece vocab ${shape.vocab} (trained on ${train.length} texts), ${labels.length} labels`)
console.log(`Inputs: ${queries.length} test queries one at a time (${meanTokens.toFixed(1)} tokens on average, at most ${maxLength}); ${batchCount} batches of ${BATCH_SIZE} test texts\n`)

const predictOne = (text: string) => classifier.predict([text])
const predictBatch = (texts: string[]) => classifier.predict(texts, { batchSize: BATCH_SIZE })
type Timing = Awaited<ReturnType<typeof timeSide>>
// With the native kernels first where they loaded, then the backend's own kernels.
const variants = backend.nativeKernels.length > 0 ? [true, false] : [false]
const variantLabel = (native: boolean) => (native ? `${backend.name} + ${backend.nativeKernels.length} native kernels` : backend.name)
const engine = new Map<boolean, Timing>()
for (const native of variants) {
  setNativeKernels(native)
  engine.set(native, await timeSide(predictOne, predictBatch))
}
const ORT_THREADS = [1, 2]
const ort = new Map<number, Timing>()
for (const threads of ORT_THREADS) {
  const onnx = await onnxPeer(classifier, threads)
  ort.set(threads, await timeSide((text: string) => onnx.predict([text]), (texts: string[]) => onnx.predict(texts, { batchSize: BATCH_SIZE })))
  await onnx.release()
}
classifier.dispose()

// The same texts in the same order: the peer warms up on the first WARMUP of each list, as the engine did.
const peerInput = {
  latency: queries.map(tokenIds),
  batches: Array.from({ length: batchCount }, (_, batch) => batchTexts.slice(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE).map(tokenIds)),
}
const peer = runTorchPeer<PeerInference>('infer', shape, { warmup: WARMUP }, JSON.stringify(peerInput))
if (typeof peer !== 'string') {
  console.log(`PyTorch ${peer.torchVersion}: ${peer.results.map((result) => `${result.threads} thread(s) batch 1 p50 ${result.p50Ms.toFixed(2)} ms, batch ${BATCH_SIZE} ${result.msPerBatch.toFixed(1)} ms`).join('; ')}`)
}

const best = (read: (result: PeerInference) => number) => (typeof peer === 'string' ? undefined : bestOf(peer, read))
for (const [native, { latency, throughput }] of engine) {
  const rows: ComparisonRow[] = [
    { measure: 'batch 1: p50 ms', engine: latency.summary.p50Ms, peer: best((result) => result.p50Ms), digits: 2 },
    { measure: 'batch 1: p95 ms', engine: latency.summary.p95Ms, peer: best((result) => result.p95Ms), digits: 2 },
    { measure: 'batch 1: CPU ms/query (mean)', engine: latency.cpuMs / queries.length, peer: best((result) => result.cpuMsPerQuery), digits: 2 },
    { measure: `batch ${BATCH_SIZE}: ms/batch`, engine: throughput.totalMs / batchCount, peer: best((result) => result.msPerBatch), digits: 1 },
    { measure: `batch ${BATCH_SIZE}: CPU ms/batch`, engine: throughput.cpuMs / batchCount, peer: best((result) => result.cpuMsPerBatch), digits: 1 },
  ]
  printComparison(`engine (${variantLabel(native)})`, rows, typeof peer === 'string' ? peer : undefined)
}

// The engine against ONNX Runtime at its best thread count on each row (every row is in ms: lower is better).
const ortMeasures: Array<[string, (timing: Timing) => number, number]> = [
  ['batch 1: p50 ms', ({ latency }) => latency.summary.p50Ms, 2],
  ['batch 1: p95 ms', ({ latency }) => latency.summary.p95Ms, 2],
  ['batch 1: CPU ms/query (mean)', ({ latency }) => latency.cpuMs / queries.length, 2],
  [`batch ${BATCH_SIZE}: ms/batch`, ({ throughput }) => throughput.totalMs / batchCount, 1],
  [`batch ${BATCH_SIZE}: CPU ms/batch`, ({ throughput }) => throughput.cpuMs / batchCount, 1],
]
console.log(`ONNX Runtime ${onnxRuntimeVersion()} (same weights, exported in-process): ${[...ort].map(([threads, timing]) =>
  `${threads} thread(s) batch 1 p50 ${timing.latency.summary.p50Ms.toFixed(2)} ms, batch ${BATCH_SIZE} ${(timing.throughput.totalMs / batchCount).toFixed(1)} ms`).join('; ')}`)
printRatioTable(
  [...engine.keys()].map((native) => ({ name: `engine (${variantLabel(native)})`, short: native ? 'native' : 'plain' })),
  { name: 'ONNX Runtime (best of 1, 2 threads)', short: 'ORT' }, ortMeasures.map(([measure, read, digits]) => ({
  measure, digits, values: [...[...engine.values()].map(read), Math.min(...[...ort.values()].map(read))],
})))

/** Batch-1 latency over the queries, then batches of BATCH_SIZE, each after WARMUP untimed calls. */
async function timeSide(classifyOne: (text: string) => unknown, classifyBatch: (texts: string[]) => unknown) {
  // Warm-up outside the measuring helpers, so that the CPU time taken around them is the timed calls' alone.
  for (let call = 0; call < WARMUP; call++) await classifyOne(queries[call % queries.length]!)
  const latency = await withCpuMs(() => measureLatency(classifyOne, queries, { warmup: 0, runs: queries.length }))
  for (let call = 0; call < WARMUP; call++) await classifyBatch(batchTexts.slice(call * BATCH_SIZE, (call + 1) * BATCH_SIZE))
  const throughput = await withCpuMs(() => measureThroughput(classifyBatch, batchTexts, { batchSize: BATCH_SIZE, warmup: 0, runs: batchCount }))
  return { latency, throughput }
}

/** The result of `measure` with the process CPU time it took (steadier than wall time on a shared machine). */
async function withCpuMs<Result>(measure: () => Promise<Result>): Promise<Result & { cpuMs: number }> {
  const started = process.cpuUsage()
  const result = await measure()
  const cpu = process.cpuUsage(started)
  return { ...result, cpuMs: (cpu.user + cpu.system) / 1000 }
}
