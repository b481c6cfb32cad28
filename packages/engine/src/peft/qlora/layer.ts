/**
 * A linear layer whose frozen weight is stored 4-bit (bitsandbytes `Linear4bit`):
 * each forward pass dequantizes it to fp32 and multiplies, and a LoRA layer, when the
 * layer is a LoRA target, adds its update on top (QLoRA). The fp32 weight is gone.
 */
import type * as tf from '@tensorflow/tfjs'
import { dense } from '../../models'
import type { ForwardContext, LinearAdapter, LinearFunction } from '../../models'
import type { QuantizedTensor } from '../../quantization'
import type { LoraLayer } from '../lora'

export class QuantizedLinear implements LinearAdapter {
  constructor(
    readonly weight: QuantizedTensor,
    private readonly bias: tf.Variable | undefined,
    /** The LoRA update of a target layer; its merge/unmerge are not available (there is no fp32 weight to merge into). */
    readonly lora: LoraLayer | undefined,
  ) {}

  forward(x: tf.Tensor, _base: LinearFunction, context: ForwardContext): tf.Tensor {
    // Not `_base`: it would read the fp32 weight, which was disposed when the layer was quantized.
    const dequantizedBase = (input: tf.Tensor) => dense(input, this.weight.dequantize(), this.bias)
    return this.lora ? this.lora.forward(x, dequantizedBase, context) : dequantizedBase(x)
  }

  dispose(): void {
    this.weight.dispose()
  }
}
