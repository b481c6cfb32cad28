/**
 * QLoRA's training step on the bankbench-mini shape (2 layers, hidden 256, batch 32 x 32;
 * forward with dropout and the gradients, native kernels on), with its weights decoded by
 * the native dequantize kernel and by the composed tfjs ops, alternating in one process
 * (a shared machine's load hits both alike); plus a one-example forward (classify latency)
 * the kernels of one profiled step, and the decoding of one BERT-base FFN weight (768 x 3072,
 * NF4, double-quantized). LoRA for reference:
 *   npx tsx bench/qlora-step.ts [qlora|lora] [--rounds 4] [--steps 5]
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { applyPeft, createSequenceClassifier, initBackend, quantize4bit } from '@bankbench/engine'
import { encoderShape, engineConfig } from './peers/torch-encoder'

const DEQUANTIZE_KERNEL = 'BankbenchDequantizeBlockwise'
const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '4' }, steps: { type: 'string', default: '5' } } })
const method = (positionals[0] ?? 'qlora') as 'qlora' | 'lora'
const rounds = Number(values.rounds)
const steps = Number(values.steps)
const backend = await initBackend()
const shape = encoderShape({ layers: 2, hidden: 256, vocab: 4000, labels: Array.from({ length: 77 }, (_, i) => `L${i}`) })
const model = createSequenceClassifier(engineConfig(shape), undefined, { seed: 0 })
applyPeft(model, method, { r: 8, lora_alpha: 8, target_modules: ['query', 'value'] }, { seed: 0 })
const variables = [...model.parameters].filter(([, v]) => v.trainable).map(([, v]) => v)
const ids = tf.randomUniform([32, 32], 1, 3999, 'int32') as tf.Tensor2D
const labels = tf.oneHot(tf.randomUniform([32], 0, 76, 'int32') as tf.Tensor1D, 77)
const one = ids.slice([0, 0], [1, 32])
const step = () => tf.tidy(() => {
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.forward({ inputIds: ids, attentionMask: tf.onesLike(ids) }, { training: true, seed: 1 })) as tf.Scalar, variables)
  return Object.values(grads)
})
const classify = () => tf.tidy(() => model.forward({ inputIds: one, attentionMask: tf.onesLike(one) }, { training: false }).dataSync())

// The dequantize kernel off: QuantizedTensor decodes with the composed ops, every other native kernel stays on.
const kernel = tf.getKernel(DEQUANTIZE_KERNEL, 'wasm')
const variants = kernel ? (['composed', 'native'] as const) : (['composed'] as const)
const useVariant = (variant: 'composed' | 'native') => {
  if (tf.getKernel(DEQUANTIZE_KERNEL, 'wasm')) tf.unregisterKernel(DEQUANTIZE_KERNEL, 'wasm')
  if (variant === 'native' && kernel) tf.registerKernel(kernel)
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!
const results = new Map<string, { wall: number[]; cpu: number[]; latency: number[]; decode: number[] }>(variants.map((variant) => [variant, { wall: [], cpu: [], latency: [], decode: [] }]))
const bertWeight = tf.randomNormal([768, 3072], 0, 0.02, 'float32', 3)
const bertQuantized = quantize4bit(bertWeight, 'nf4', true)
bertWeight.dispose()
for (const variant of variants) {
  useVariant(variant)
  for (let i = 0; i < 2; i++) tf.dispose(step())
}
for (let round = 0; round < rounds; round++) {
  for (const variant of variants) {
    useVariant(variant)
    const result = results.get(variant)!
    for (let i = 0; i < steps; i++) {
      const start = performance.now()
      const cpu = process.cpuUsage()
      tf.dispose(step())
      const used = process.cpuUsage(cpu)
      result.wall.push(performance.now() - start)
      result.cpu.push((used.user + used.system) / 1000)
    }
    for (let i = 0; i < 5; i++) {
      const start = performance.now()
      classify()
      result.latency.push(performance.now() - start)
    }
    const start = performance.now()
    bertQuantized.dequantize().dispose()
    result.decode.push(performance.now() - start)
  }
}
console.log(`${method} on ${backend.name} + native kernels (${backend.nativeThreads} threads), bankbench-mini shape, ${rounds} x ${steps} steps per variant`)
for (const variant of variants) {
  useVariant(variant)
  const { wall, cpu, latency, decode } = results.get(variant)!
  const profile = await tf.profile(() => step())
  tf.dispose(profile.result as tf.Tensor[])
  const byKernel = new Map<string, number>()
  for (const { name, kernelTimeMs } of profile.kernels) byKernel.set(name, (byKernel.get(name) ?? 0) + (kernelTimeMs as number))
  const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ')
  console.log(`  dequantize ${variant}: ${median(wall).toFixed(1)} ms/step (min ${Math.min(...wall).toFixed(1)}), CPU ${median(cpu).toFixed(1)} ms/step, one-example forward p50 ${median(latency).toFixed(1)} ms, 768 x 3072 weight decoded in ${median(decode).toFixed(1)} ms`)
  console.log(`    profiled step (ms): ${top}${byKernel.has(DEQUANTIZE_KERNEL) ? `; ${DEQUANTIZE_KERNEL} ${byKernel.get(DEQUANTIZE_KERNEL)!.toFixed(1)}` : ''}`)
}
useVariant('native')
