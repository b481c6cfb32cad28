import * as tf from '@tensorflow/tfjs'
import { initBackend } from './src/backend'
import { createSequenceClassifier, parseLlamaConfig } from './src/models'
import { applyPeft } from './src/peft'
import type { LinearAdapter } from './src/models'

await initBackend('wasm')
const shapes: Record<string, object> = {
  'SmolLM2-135M layer': { hidden_size: 576, intermediate_size: 1536, num_attention_heads: 9, num_key_value_heads: 3 },
  'Llama-3.2-1B layer': { hidden_size: 2048, intermediate_size: 8192, num_attention_heads: 32, num_key_value_heads: 8 },
}
for (const [name, fields] of Object.entries(shapes)) {
  const config = parseLlamaConfig({ model_type: 'llama', vocab_size: 1000, num_hidden_layers: 1, num_labels: 77, ...fields })
  const batch = name.startsWith('Smol') ? 8 : 2, seq = 64
  const ids = tf.tensor2d(Array.from({ length: batch * seq }, (_, i) => 3 + (i * 7) % 900), [batch, seq], 'int32') as tf.Tensor2D
  const mask = tf.ones([batch, seq], 'int32') as tf.Tensor2D
  for (const method of ['full', 'lora', 'qlora']) {
    const model = createSequenceClassifier(config, undefined, { seed: 1 })
    const applied = applyPeft(model, method, method === 'full' ? {} : { target_modules: 'all-linear' })
    let atScore = 0
    const head = model.adapters.get('score')
    const probe: LinearAdapter = { forward: (x, linear, context) => { atScore = tf.memory().numBytes; return head ? head.forward(x, linear, context) : linear(x) } }
    model.adapters.set('score', probe)
    const before = tf.memory().numBytes
    let t = performance.now()
    tf.tidy(() => { model.forward({ inputIds: ids, attentionMask: mask }, { training: false }).dataSync() })
    const inferenceMs = performance.now() - t
    const inference = atScore - before
    t = performance.now()
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => model.forward({ inputIds: ids, attentionMask: mask }, { training: true, seed: 1 }).sum() as tf.Scalar), applied.trainableVariables)
    value.dataSync()
    const trainMs = performance.now() - t
    const training = atScore - before
    tf.dispose([value, grads])
    const perToken = (bytes: number) => (bytes / (batch * seq) / 1024).toFixed(0)
    console.log(`${name} ${method}: live activations per token: inference ${perToken(inference)} KiB, training ${perToken(training)} KiB (${inferenceMs.toFixed(0)} / ${trainMs.toFixed(0)} ms)`)
    model.dispose()
  }
}
