import * as tf from '@tensorflow/tfjs'
import { initBackend } from './packages/engine/src/backend'
import { createSequenceClassifier } from './packages/engine/src/models'
import { tinyBatch, tinyConfig } from './packages/engine/src/models/testing/fixtures'
import { applyPeft, quantizedStorage } from './packages/engine/src/peft'

async function main() {
  const info = await initBackend()
  const config = tinyConfig('bert', { hiddenSize: 768, intermediateSize: 3072, numHiddenLayers: 2, numAttentionHeads: 12 })
  for (const [method, cfg] of [['lora', { r: 8 }], ['qlora', { r: 8, bnb_4bit_use_double_quant: false }], ['qlora', { r: 8, bnb_4bit_use_double_quant: true }], ['qlora', { r: 8, bnb_4bit_quant_type: 'fp4', bnb_4bit_use_double_quant: false }]] as const) {
    const before = tf.memory().numBytes
    const model = createSequenceClassifier(config, undefined, { seed: 1 })
    const created = tf.memory().numBytes - before
    let t = performance.now()
    const applied = applyPeft(model, method, cfg)
    const applyMs = performance.now() - t
    const after = tf.memory().numBytes - before
    const storage = quantizedStorage(model)
    const batch = tinyBatch()
    model.forward(batch, { training: false }).dispose()
    t = performance.now()
    for (let i = 0; i < 5; i++) model.forward(batch, { training: false }).dispose()
    const forwardMs = (performance.now() - t) / 5
    console.log(JSON.stringify({ backend: info.name, method, cfg, modelMB: +(created / 2 ** 20).toFixed(2), afterMB: +(after / 2 ** 20).toFixed(2),
      quantizedParams: storage.parameters, bytesPerParam: storage.parameters ? +(storage.bytes / storage.parameters).toFixed(5) : null,
      applyMs: Math.round(applyMs), forwardMs: Math.round(forwardMs), trainable: applied.parameterCounts.trainable, total: applied.parameterCounts.total }))
    tf.dispose([batch.inputIds, batch.attentionMask])
    model.dispose()
  }
}
main()
