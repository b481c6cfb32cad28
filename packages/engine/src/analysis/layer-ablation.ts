/**
 * Per-block ablation of a LoRA model: switch off the LoRA updates of one encoder
 * block at a time and measure what the classifier loses on held-out examples. A
 * block whose update matters little is one a smaller adapter could skip.
 */
import * as tf from '@tensorflow/tfjs'
import type { LabeledText } from '../fine-tune'
import type { IntentClassifier } from '../fine-tune'
import { LoraLayer } from '../peft/lora'
import { QuantizedLinear } from '../peft/qlora'
import { blockIndexOf } from './lora-spectra'

export interface BlockAblation {
  blockIndex: number
  /** The adapted layers of the block whose update was zeroed. */
  layers: string[]
  accuracy: number
  /** Accuracy with every update minus accuracy without this block's: positive when the block's update helps. */
  accuracyDrop: number
}

export interface LoraAblation {
  examples: number
  /** Accuracy with every LoRA update in place. */
  accuracy: number
  blocks: BlockAblation[]
}

/** The LoRA layers of a model by layer name (QLoRA keeps its LoRA inside the quantized linear). */
export function loraLayersOf(classifier: IntentClassifier): Map<string, LoraLayer> {
  const layers = new Map<string, LoraLayer>()
  for (const [name, adapter] of classifier.model.adapters) {
    const lora = adapter instanceof LoraLayer ? adapter : adapter instanceof QuantizedLinear ? adapter.lora : undefined
    if (lora) layers.set(name, lora)
  }
  return layers
}

export function accuracyOn(classifier: IntentClassifier, examples: readonly LabeledText[]): number {
  if (examples.length === 0) throw new Error('no examples to measure accuracy on')
  const predictions = classifier.predict(examples.map((example) => example.text))
  return predictions.filter((prediction, index) => prediction.label === examples[index]!.label).length / examples.length
}

/** Accuracy with each encoder block's LoRA updates zeroed in turn (B = 0 makes ΔW = 0); the weights are restored after each. */
export function ablateLoraBlocks(classifier: IntentClassifier, examples: readonly LabeledText[]): LoraAblation {
  const layers = loraLayersOf(classifier)
  if (layers.size === 0) throw new Error('the classifier has no LoRA layers to ablate')
  if ([...layers.values()].some((layer) => layer.isMerged)) throw new Error('unmerge the LoRA layers before ablating them')
  const accuracy = accuracyOn(classifier, examples)
  const byBlock = new Map<number, string[]>()
  for (const name of layers.keys()) {
    const block = blockIndexOf(name)
    if (block !== null) byBlock.set(block, [...(byBlock.get(block) ?? []), name])
  }
  const blocks = [...byBlock].sort(([a], [b]) => a - b).map(([blockIndex, names]) => {
    const ablated = withZeroedUpdates(names.map((name) => layers.get(name)!), () => accuracyOn(classifier, examples))
    return { blockIndex, layers: names, accuracy: ablated, accuracyDrop: accuracy - ablated }
  })
  return { examples: examples.length, accuracy, blocks }
}

function withZeroedUpdates<T>(layers: LoraLayer[], measure: () => T): T {
  const saved = layers.map((layer) => tf.clone(layer.loraB))
  try {
    for (const layer of layers) tf.tidy(() => layer.loraB.assign(tf.zerosLike(layer.loraB)))
    return measure()
  } finally {
    layers.forEach((layer, index) => layer.loraB.assign(saved[index]!))
    tf.dispose(saved)
  }
}
