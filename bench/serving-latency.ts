/**
 * Per-query latency of the classify endpoint's model path against ONNX Runtime on the
 * same weights, in one process, at batch 1 on one core:
 *   npx tsx bench/serving-latency.ts [--queries 300] [--warmup 10] [--threads 1] [--backbone <checkpoint dir>]
 * The engine side is what packages/serving runs per message: `classifyTexts` (tokenize,
 * forward, softmax, top-k) on an IntentClassifier whose LoRA was merged as
 * loadServedModel merges it. The peer side exports that very model with `exportOnnx`
 * and serves it with `OnnxIntentClassifier` (the same tokenizer and truncation, ORT's
 * forward, softmax and the same top-k in JS), ORT at `--threads` intra-op threads.
 * The engine's OpenBLAS gets the same `--threads`; its wasm backend has one thread.
 *
 * Models: the issue's reference shape (BERT, 2 layers, hidden 128, 4 heads, FFN 512,
 * pooler, 32 tokens) and the local backbone's default shape (the engine's
 * PRETRAIN_DEFAULTS: 2 layers, hidden 64, 2 heads, FFN 256, mean pooling, 64 tokens), both
 * randomly initialised with a LoRA adapter (r 8, query and value, random B so that
 * merging changes the weights) merged in; `--backbone` adds a real checkpoint (a local
 * backbone's folder), with its own tokenizer. Queries: the first --queries Banking77
 * test texts, each classified alone; both sides warm up on the first --warmup.
 */
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { loadBanking77 } from '@bankbench/data'
import {
  applyPeft, createSequenceClassifier, exportOnnx, initBackend, IntentClassifier, loadCheckpoint, measureLatency, mergeLora,
  parseEncoderConfig, parseModelConfig, setNativeKernels, tokenizerOf, Tokenizer, trainWordPiece, withLabels,
} from '@bankbench/engine'
import { OnnxIntentClassifier } from '@bankbench/engine/onnx-runtime'
import { classifyTexts, enginePredictor, onnxPredictor, type Classification } from '@bankbench/serving'
import { onnxRuntimeVersion, printRatioTable, type Column } from './peers/onnx-runtime'

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '10' },
    threads: { type: 'string', default: '1' },
    backbone: { type: 'string' },
  },
})
const queryCount = Number(values.queries)
const warmup = Number(values.warmup)
const threads = Number(values.threads)
/** What a deployment's classify settings typically ask for; the same on both sides. */
const SETTINGS = { topK: 5, outOfScopeThreshold: 0.5 }
const VOCAB_SIZE = 4000
const SEED = 0

// Read when the native kernels load (in initBackend): one core for OpenBLAS as for ORT.
process.env.BANKBENCH_NATIVE_THREADS = String(threads)
const backend = await initBackend()
const { labels, train, test } = loadBanking77()
const queries = test.slice(0, queryCount).map((example) => example.text)

interface ServedShape {
  name: string
  classifier: IntentClassifier
}

const wordPiece = Tokenizer.fromJSON(trainWordPiece(train.map((example) => example.text), { vocabSize: VOCAB_SIZE }))
const shapes: ServedShape[] = [
  randomShape('reference: BERT 2 x 128, 4 heads, FFN 512, pooler, seq 32', { hidden: 128, heads: 4, intermediate: 512, pooling: 'model', maxLength: 32 }),
  randomShape('local backbone default: BERT 2 x 64, 2 heads, FFN 256, mean pooling, seq 64', { hidden: 64, heads: 2, intermediate: 256, pooling: 'mean', maxLength: 64 }),
]
if (values.backbone) shapes.push(await checkpointShape(values.backbone))

console.log(`Load average ${loadavg().map((load) => load.toFixed(1)).join(' / ')} on ${cpus().length} cores: wall times stretch on a shared machine, CPU times less so`)
console.log(`Engine backend ${backend.name} (tfjs ${backend.tfjsVersion}, simd ${backend.simd ?? '-'}, ${backend.threads} thread, native kernels: ${backend.nativeKernels.join(', ') || 'none'}${backend.nativeThreads ? ` on ${backend.nativeThreads} OpenBLAS thread(s)` : ''}); ONNX Runtime ${onnxRuntimeVersion()} with ${threads} intra-op thread(s)`)
console.log(`${queries.length} Banking77 test queries, one at a time, ${warmup} warm-up calls per side; LoRA merged as serving merges it\n`)

for (const shape of shapes) await compare(shape)

async function compare({ name, classifier }: ServedShape): Promise<void> {
  const exportStarted = performance.now()
  const onnxModel = exportOnnx(classifier.model)
  const exportMs = performance.now() - exportStarted
  const sessionStarted = performance.now()
  const onnx = await OnnxIntentClassifier.create(onnxModel, classifier.tokenizer, classifier.labels, classifier.maxLength, { threads })
  const sessionMs = performance.now() - sessionStarted

  const engine = enginePredictor(classifier)
  const engineOne = async (text: string) => (await classifyTexts(engine, [text], SETTINGS))[0]!
  const onnxServed = onnxPredictor(onnx)
  const onnxOne = async (text: string) => (await classifyTexts(onnxServed, [text], SETTINGS))[0]!
  const agreement = await compareOutputs(engineOne, onnxOne)

  const variants = backend.nativeKernels.length > 0 ? [true, false] : [false]
  const rows: Array<[Column, Timing]> = []
  for (const native of variants) {
    setNativeKernels(native)
    const column = native ? { name: `engine (${backend.name} + native kernels)`, short: 'native' } : { name: `engine (${backend.name} only)`, short: 'plain' }
    rows.push([column, await time(engineOne)])
  }
  setNativeKernels(variants[0]!)
  const ort = await time(onnxOne)

  console.log(`## ${name}`)
  console.log(`Parameters ${classifier.model.countParameters().toLocaleString('en')}; ONNX export ${exportMs.toFixed(0)} ms, ${(onnxModel.length / 2 ** 20).toFixed(2)} MiB; ORT session created in ${sessionMs.toFixed(0)} ms`)
  console.log(`Same intent on ${agreement.sameIntent}/${queries.length} queries; largest confidence difference ${agreement.maxConfidenceDifference.toExponential(1)}`)
  printTable(rows, ort)
  await onnx.release()
  classifier.dispose()
}

interface Timing { p50Ms: number; p95Ms: number; cpuMsPerQuery: number }

async function time(classify: (text: string) => unknown): Promise<Timing> {
  for (let call = 0; call < warmup; call++) await classify(queries[call % queries.length]!)
  const cpuStarted = process.cpuUsage()
  const { summary } = await measureLatency(classify, queries, { warmup: 0, runs: queries.length })
  const cpu = process.cpuUsage(cpuStarted)
  return { p50Ms: summary.p50Ms, p95Ms: summary.p95Ms, cpuMsPerQuery: (cpu.user + cpu.system) / 1000 / queries.length }
}

/** Both sides on every query: the export must not change what the endpoint answers. */
async function compareOutputs(engineOne: (text: string) => Promise<Classification>, onnxOne: (text: string) => Promise<Classification>) {
  let sameIntent = 0
  let maxConfidenceDifference = 0
  for (const text of queries) {
    const expected = await engineOne(text)
    const actual = await onnxOne(text)
    if (actual.intent === expected.intent) sameIntent++
    maxConfidenceDifference = Math.max(maxConfidenceDifference, Math.abs(actual.confidence - expected.confidence))
  }
  return { sameIntent, maxConfidenceDifference }
}

function printTable(rows: Array<[Column, Timing]>, ort: Timing): void {
  const measures: Array<[string, (timing: Timing) => number]> = [
    ['batch 1 p50 ms', (timing) => timing.p50Ms],
    ['batch 1 p95 ms', (timing) => timing.p95Ms],
    ['batch 1 CPU ms/query (mean)', (timing) => timing.cpuMsPerQuery],
  ]
  printRatioTable(rows.map(([column]) => column), { name: `ONNX Runtime (${threads} thread${threads === 1 ? '' : 's'})`, short: 'ORT' }, measures.map(([measure, read]) => ({
    measure, values: [...rows.map(([, timing]) => read(timing)), read(ort)], digits: 2,
  })))
  const [, served] = rows[0]!
  console.log(`Goal: p50 well under 50 ms (${served.p50Ms.toFixed(2)} ms), within 1.5x of ONNX Runtime (p50 ${(served.p50Ms / ort.p50Ms).toFixed(2)}x, p95 ${(served.p95Ms / ort.p95Ms).toFixed(2)}x)\n`)
}

function randomShape(name: string, shape: { hidden: number; heads: number; intermediate: number; pooling: 'model' | 'mean'; maxLength: number }): ServedShape {
  const config = parseEncoderConfig({
    model_type: 'bert',
    vocab_size: wordPiece.vocabSize,
    hidden_size: shape.hidden,
    num_hidden_layers: 2,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    hidden_act: 'gelu',
    max_position_embeddings: shape.maxLength,
    classifier_pooling: shape.pooling,
    id2label: Object.fromEntries(labels.map((label, index) => [String(index), label])),
  })
  return { name, classifier: served(new IntentClassifier(createSequenceClassifier(config, undefined, { seed: SEED }), wordPiece, shape.maxLength)) }
}

async function checkpointShape(source: string): Promise<ServedShape> {
  const checkpoint = await loadCheckpoint(source)
  const config = withLabels(parseModelConfig(checkpoint.config), labels)
  const model = createSequenceClassifier(config, checkpoint.weights, { seed: SEED })
  const maxLength = Math.min(64, config.maxPositionEmbeddings)
  return { name: `checkpoint ${source}: ${config.modelType}, seq ${maxLength}`, classifier: served(new IntentClassifier(model, tokenizerOf(checkpoint), maxLength)) }
}

/** A LoRA run as loadServedModel serves it: adapter applied, then merged into the base weights. */
function served(classifier: IntentClassifier): IntentClassifier {
  applyPeft(classifier.model, 'lora', { r: 8, lora_alpha: 16, init_lora_weights: false }, { seed: SEED })
  mergeLora(classifier.model)
  return classifier
}
