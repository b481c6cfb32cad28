/** Conversions between checkpoint tensors (raw safetensors bytes) and tfjs tensors. */
import * as tf from '@tensorflow/tfjs'
import { fromFloat32, toFloat32 } from './safetensors'
import type { NamedTensor } from './safetensors'

/** A float32 tfjs tensor holding the checkpoint tensor's values (F16/BF16/F64/integers are converted). */
export function toTensor(named: NamedTensor): tf.Tensor {
  return tf.tensor(toFloat32(named), named.shape, 'float32')
}

/**
 * The checkpoint form of a tfjs tensor, as a `[name, tensor]` entry for a weights
 * map: `new Map(entries.map(([name, t]) => fromTensor(name, t)))`. float32 tensors
 * become F32, int32 tensors I32.
 */
export function fromTensor(name: string, tensor: tf.Tensor): [string, NamedTensor] {
  if (tensor.dtype === 'float32') return [name, fromFloat32(tensor.dataSync() as Float32Array, tensor.shape)]
  if (tensor.dtype === 'int32') {
    const values = tensor.dataSync() as Int32Array
    const bytes = new Uint8Array(values.length * 4)
    const view = new DataView(bytes.buffer)
    values.forEach((value, i) => view.setInt32(i * 4, value, true))
    return [name, { dtype: 'I32', shape: tensor.shape, bytes }]
  }
  throw new Error(`fromTensor: ${name} has dtype ${tensor.dtype}; only float32 and int32 tensors are saved`)
}
