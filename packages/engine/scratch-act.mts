import * as tf from '@tensorflow/tfjs'
import { initBackend } from './src/backend'
import { createSequenceClassifier, parseLlamaConfig } from './src/models'
import { applyPeft } from './src/peft'
import type { LinearAdapter } from './src/models'
await initBackend('wasm')
const batch = 8, seq = 64
const ids = tf.tensor2d(Array.from({ length: batch * seq }, (_, i) => 3 + (i * 7) % 900), [batch, seq], 'int32') as tf.Tensor2D
const mask = tf.ones([batch, seq], 'int32') as tf.Tensor2D
for (const layers of [1, 4]) {
  const config = parseLlamaConfig({ model_type: 'llama', vocab_size: 1000, num_hidden_layers: layers, num_labels: 77, hidden_size: 576, intermediate_size: 1536, num_attention_heads: 9, num_key_value_heads: 3 })
  for (const method of ['full', 'lora', 'qlora']) {
    const model = createSequenceClassifier(config, undefined, { seed: 1 })
    const applied = applyPeft(model, method, method === 'full' ? {} : { target_modules: 'all-linear' })
    let atScore = 0
    const head = model.adapters.get('score')
    model.adapters.set('score', { forward: (x, linear, context) => { atScore = tf.memory().numBytes; return head ? head.forward(x, linear, context) : linear(x) } } as LinearAdapter)
    const before = tf.memory().numBytes
    tf.tidy(() => { model.forward({ inputIds: ids, attentionMask: mask }, { training: false }).dataSync() })
    const inference = atScore - before
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => model.forward({ inputIds: ids, attentionMask: mask }, { training: true, seed: 1 }).sum() as tf.Scalar), applied.trainableVariables)
    const training = atScore - before
    tf.dispose([value, grads])
    const kib = (bytes: number) => (bytes / (batch * seq) / 1024).toFixed(0)
    console.log(`${layers} layers ${method}: weights ${(before / 2 ** 20).toFixed(1)} MiB; live at score per token: inference ${kib(inference)} KiB, training ${kib(training)} KiB`)
    model.dispose()
  }
}
