/**
 * Training throughput of the engine against the named peer PyTorch (CPU), on the same
 * BERT classifier shape:
 *   npx tsx bench/engine-training.ts [--steps 20] [--warmup 5] [--layers 2] [--hidden 128] [--seq 32] [--batch 32]
 * Times optimizer steps of LoRA (r=8 on query and value, base frozen, AdamW on LoRA +
 * head) and of full fine-tuning through the engine's own path -- applyPeft, then the
 * trainer's `train()` (forward with dropout, cross-entropy, gradients, global-norm
 * clipping, AdamW) -- on random full-length batches, after untimed warm-up steps.
 * Prints ms/step, steps/s and tokens/s beside PyTorch's best of 1 and 2 threads, in
 * three columns from the same process: the engine with its native kernels on OpenBLAS
 * (where `npm run build:native` linked it), with the same kernels on their built-in
 * blocked product (what a machine without libopenblas-dev gets), and plain tfjs;
 * BANKBENCH_NATIVE_KERNELS=0 times plain tfjs only.
 */
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { seededRandom } from '@bankbench/data'
import { applyPeft, createSequenceClassifier, initBackend, setNativeKernels, train, type TrainingTask } from '@bankbench/engine'
import { loadNativeKernels, type GemmBackend } from '@bankbench/native-kernels'
import { bestOf, encoderShape, engineConfig, printComparison, runTorchPeer, type ComparisonRow, type EncoderShape } from './peers/torch-encoder'

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    layers: { type: 'string', default: '2' },
    hidden: { type: 'string', default: '128' },
    seq: { type: 'string', default: '32' },
    batch: { type: 'string', default: '32' },
  },
})
const steps = Number(values.steps)
const warmup = Number(values.warmup)
const sequenceLength = Number(values.seq)
const batchSize = Number(values.batch)
if (!(warmup >= 1)) throw new Error('--warmup must be at least 1: the timing starts when the last warm-up step ends')
const VOCAB_SIZE = 4000
const LABELS = Array.from({ length: 77 }, (_, index) => `LABEL_${index}`)
const LORA_CONFIG = { r: 8, lora_alpha: 8, target_modules: ['query', 'value'] }
const SEED = 0
const METHODS = ['lora', 'full'] as const
type Method = (typeof METHODS)[number]

interface StepTiming {
  msPerStep: number
  /** CPU time of the process per step: steadier than wall time on a shared machine. */
  cpuMsPerStep: number
  trainableParameters: number
}

interface RandomExample {
  tokenIds: Int32Array
  labelIndex: number
}

const shape = encoderShape({ layers: Number(values.layers), hidden: Number(values.hidden), vocab: VOCAB_SIZE, labels: LABELS })
const backend = await initBackend()
console.log(`Load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores: wall times stretch on a shared machine, CPU times less so`)
console.log(`Backend ${backend.name} (tfjs ${backend.tfjsVersion}, simd ${backend.simd ?? '-'}, ${backend.threads} thread, custom kernels: ${backend.customKernels.join(', ') || 'none'}, native kernels: ${backend.nativeKernels.join(', ') || 'none'}${backend.nativeThreads ? ` on ${backend.nativeThreads} thread${backend.nativeThreads === 1 ? '' : 's'}` : ''})`)
console.log(`Model: BERT, ${shape.layers} layers, hidden ${shape.hidden}, ${shape.heads} heads, FFN ${shape.intermediate}, vocab ${shape.vocab}, ${shape.labels.length} labels, dropout ${shape.dropout}, erf GELU`)
console.log(`Batches: ${batchSize} x ${sequenceLength} random token ids, no padding; ${warmup} warm-up steps, then ${steps} timed steps per method\n`)

// The native kernels on each matrix product the addon has (OpenBLAS first, where it
// was linked), then the backend's own kernels.
type Variant = GemmBackend | 'plain'
const addon = loadNativeKernels()
const products: GemmBackend[] = !addon.loaded || backend.nativeKernels.length === 0
  ? []
  : (['openblas', 'builtin'] as const).filter((product) => addon.kernels.useGemmBackend(product))
const variants: Variant[] = [...products, 'plain']
const variantLabel = (variant: Variant) => {
  if (variant === 'plain' || !addon.loaded) return `${backend.name}, plain tfjs`
  addon.kernels.useGemmBackend(variant)
  return `${backend.name} + ${backend.nativeKernels.length} native kernels, ${addon.kernels.blasConfig()}`
}
const engine = new Map<Variant, Record<Method, StepTiming>>()
for (const variant of variants) {
  setNativeKernels(variant !== 'plain')
  if (variant !== 'plain' && addon.loaded) addon.kernels.useGemmBackend(variant)
  const timings = {} as Record<Method, StepTiming>
  for (const method of METHODS) {
    timings[method] = await timeEngineSteps(method, shape)
    console.log(`engine (${variantLabel(variant)}) ${method}: ${timings[method].msPerStep.toFixed(1)} ms/step, ${timings[method].trainableParameters.toLocaleString('en')} trainable parameters`)
  }
  engine.set(variant, timings)
}

const peer = runTorchPeer<Record<Method, StepTiming>>('train', shape, { seq: sequenceLength, batch: batchSize, steps, warmup })
if (typeof peer !== 'string') {
  console.log(`PyTorch ${peer.torchVersion}: ${peer.results.map((result) => `${result.threads} thread(s) ${METHODS.map((method) => `${method} ${result[method].msPerStep.toFixed(1)}`).join(', ')} ms/step`).join('; ')}`)
}

const tokensPerStep = batchSize * sequenceLength
for (const [variant, timings] of engine) {
  const rows: ComparisonRow[] = METHODS.flatMap((method) => {
    const peerMs = typeof peer === 'string' ? undefined : bestOf(peer, (result) => result[method].msPerStep)
    const peerCpuMs = typeof peer === 'string' ? undefined : bestOf(peer, (result) => result[method].cpuMsPerStep)
    const perSecond = (scale: number) => peerMs && { value: (scale * 1000) / peerMs.value, threads: peerMs.threads }
    return [
      { measure: `${method}: ms/step`, engine: timings[method].msPerStep, peer: peerMs, digits: 1 },
      { measure: `${method}: CPU ms/step`, engine: timings[method].cpuMsPerStep, peer: peerCpuMs, digits: 1 },
      { measure: `${method}: steps/s`, engine: 1000 / timings[method].msPerStep, peer: perSecond(1), digits: 2 },
      { measure: `${method}: tokens/s`, engine: (tokensPerStep * 1000) / timings[method].msPerStep, peer: perSecond(tokensPerStep), digits: 0 },
    ]
  })
  printComparison(`engine (${variantLabel(variant)})`, rows, typeof peer === 'string' ? peer : undefined)
}

/**
 * Runs the real trainer over warmup + steps random batches and times the steps after
 * the warm-up from its own step callbacks.
 */
async function timeEngineSteps(method: Method, shape: EncoderShape): Promise<StepTiming> {
  const model = createSequenceClassifier(engineConfig(shape), undefined, { seed: SEED })
  try {
    applyPeft(model, method, method === 'lora' ? LORA_CONFIG : {}, { seed: SEED })
    const task: TrainingTask<RandomExample> = {
      variables: new Map([...model.parameters].filter(([, variable]) => variable.trainable)),
      trainExamples: randomExamples((warmup + steps) * batchSize),
      loss: (batch, { step }) => tf.tidy(() => {
        const inputIds = tf.tensor2d(concatRows(batch.map((example) => example.tokenIds)), [batch.length, sequenceLength], 'int32')
        const logits = model.forward({ inputIds, attentionMask: tf.onesLike(inputIds) }, { training: true, seed: step })
        return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.map((example) => example.labelIndex), shape.labels.length), logits) as tf.Scalar
      }),
    }
    let start: { wall: number; cpu: NodeJS.CpuUsage } | undefined
    let timing: Omit<StepTiming, 'trainableParameters'> | undefined
    await train(task, {
      epochs: 1,
      batchSize,
      learningRate: 5e-4,
      evalEvery: 'never',
      onStep: ({ step }) => {
        if (step === warmup) start = { wall: performance.now(), cpu: process.cpuUsage() }
        if (step === warmup + steps && start) {
          const cpu = process.cpuUsage(start.cpu)
          timing = { msPerStep: (performance.now() - start.wall) / steps, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps }
        }
      },
    })
    if (!timing) throw new Error(`the trainer ran fewer than ${warmup + steps} steps`)
    return { ...timing, trainableParameters: model.countParameters('trainable') }
  } finally {
    model.dispose()
  }
}

/** Uniform ids over the vocabulary (never padding), uniform labels: the peer draws the same way. */
function randomExamples(count: number): RandomExample[] {
  const random = seededRandom(SEED)
  return Array.from({ length: count }, () => ({
    tokenIds: Int32Array.from({ length: sequenceLength }, () => 1 + Math.floor(random() * (VOCAB_SIZE - 1))),
    labelIndex: Math.floor(random() * LABELS.length),
  }))
}

function concatRows(rows: Int32Array[]): Int32Array {
  const flat = new Int32Array(rows.length * sequenceLength)
  rows.forEach((row, index) => flat.set(row, index * sequenceLength))
  return flat
}
