/**
 * The weights the exported graph computes with: each linear layer as the served model
 * runs it, with its PEFT adapter folded in, so the graph is the plain encoder whatever
 * method trained it. The model itself is left as it is (merged or not).
 *
 * Folded: LoRA (W + scaling · B A, as mergeLora), IA3 (W ⊙ l, and b ⊙ l when the output
 * is scaled, as mergeIa3) and QLoRA (the dequantized 4-bit weight, plus its LoRA update).
 * Refused: methods that add computation rather than change weights, namely prefix tuning
 * (extra key/value positions) and bottleneck adapters (a second MLP after a projection).
 */
import * as tf from '@tensorflow/tfjs'
import type { SequenceClassifier } from '../../models'
import { BottleneckAdapter, Ia3Layer, LoraLayer, QuantizedLinear } from '../../peft'

export interface FoldedLinear {
  /** The weight transposed to [in, out], row-major: the right operand of ONNX MatMul. */
  weightT: Float32Array
  inFeatures: number
  outFeatures: number
  bias?: Float32Array
}

/** Throws, naming the reason, when the model's computation is not the plain encoder plus foldable adapters. */
export function assertFoldable(model: SequenceClassifier): void {
  if (model.attentionPrefix) {
    throw new Error('ONNX export does not support prefix tuning: its virtual key/value positions are extra graph, not a change of weights')
  }
  for (const [layer, adapter] of model.adapters) {
    if (adapter instanceof BottleneckAdapter) {
      throw new Error(`ONNX export does not support bottleneck adapters (${layer}): they add an MLP to the graph rather than change a weight`)
    }
    if (!(adapter instanceof LoraLayer || adapter instanceof Ia3Layer || adapter instanceof QuantizedLinear)) {
      throw new Error(`ONNX export cannot fold the ${adapter.constructor.name} on ${layer}: only LoRA, IA3 and QLoRA fold into weights`)
    }
  }
}

/** The named nn.Linear as the served model computes it. */
export function foldedLinear(model: SequenceClassifier, name: string): FoldedLinear {
  const biasVariable = model.parameters.get(`${name}.bias`)
  return tf.tidy(() => {
    const { weight, bias } = effectiveWeights(model, name, biasVariable)
    const [outFeatures, inFeatures] = weight.shape as [number, number]
    return {
      weightT: weight.transpose().dataSync() as Float32Array,
      inFeatures,
      outFeatures,
      ...(bias ? { bias: bias.dataSync() as Float32Array } : {}),
    }
  })
}

function effectiveWeights(model: SequenceClassifier, name: string, bias: tf.Tensor | undefined): { weight: tf.Tensor; bias?: tf.Tensor } {
  const adapter = model.adapters.get(name)
  if (adapter instanceof QuantizedLinear) {
    const dequantized = adapter.weight.dequantize()
    return { weight: adapter.lora ? dequantized.add(loraDelta(adapter.lora)) : dequantized, bias }
  }
  const weight = model.weight(`${name}.weight`)
  if (adapter instanceof LoraLayer && !adapter.isMerged) return { weight: weight.add(loraDelta(adapter)), bias }
  if (adapter instanceof Ia3Layer && !adapter.isMerged) {
    // l is [1, in] (input scaling) or [out, 1] (output scaling): W ⊙ l either way.
    const scaled = weight.mul(adapter.ia3L)
    return { weight: scaled, bias: bias && !adapter.isFeedforward ? bias.mul(adapter.ia3L.reshape(bias.shape)) : bias }
  }
  return { weight, bias }
}

/** scaling · B A, the update mergeLora adds. */
function loraDelta(layer: LoraLayer): tf.Tensor {
  return tf.matMul(layer.loraB, layer.loraA).mul(layer.scaling)
}
